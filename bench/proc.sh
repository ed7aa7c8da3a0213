# CPU time of a process and of its threads, from /proc (sourced by ceiling.sh, intake.sh and flows.sh).

# CPU ticks (user + system) of process $1 so far
process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# CPU ticks per thread group of process $1, "name|ticks" lines, digits in thread names folded to N
# (vert.x-eventloop-thread-0 and -1 are one group). A thread that ends between the listing and the read
# is skipped: it must not stop a script running with errexit and pipefail.
thread_ticks() {
  local f l name fields
  for f in /proc/"$1"/task/*/stat; do
    l=$(cat "$f" 2>/dev/null) || continue
    name=${l#*(}
    name=${name%) *}
    read -r -a fields <<< "${l##*) }" # from the state on: utime and stime are the 12th and 13th
    echo "$name|$(( ${fields[11]} + ${fields[12]} ))"
  done | awk -F'|' '{gsub(/[0-9]+/, "N", $1); a[$1] += $2} END {for (k in a) print k "|" a[k]}'
}
