package io.opsbridge.http;

/**
 * A request refused with a problem answer. Thrown by the check beans, turned into the answer once,
 * by the route configuration.
 */
public class Rejection extends RuntimeException {

    private final transient Problem problem;
    private final boolean yieldsToDuplicate;

    public Rejection(Problem problem) {
        this(problem, false);
    }

    private Rejection(Problem problem, boolean yieldsToDuplicate) {
        // No stack trace: a rejection is an answer, not a fault, and it is on the hot path.
        super(problem.code(), null, false, false);
        this.problem = problem;
        this.yieldsToDuplicate = yieldsToDuplicate;
    }

    /**
     * A rejection from the checks SPEC orders after the duplicate check (timestamp, schema, rate
     * limit): an event the inbox already holds is answered as the duplicate it is instead, so a
     * vendor retrying hours later hears "duplicate", not "stale".
     */
    public static Rejection unlessDuplicate(Problem problem) {
        return new Rejection(problem, true);
    }

    public boolean yieldsToDuplicate() {
        return yieldsToDuplicate;
    }

    public Problem problem() {
        return problem;
    }
}
