package io.opsbridge.delivery;

/**
 * The event needs something an earlier event creates (PICK.COMPLETED before its task is known):
 * it waits and is tried again, stepping aside so the events it waits for can run.
 */
public class PrerequisiteMissing extends RuntimeException {

    public PrerequisiteMissing(String what) {
        super(what, null, false, false);
    }
}
