package dev.ferry.impact;

/** Another replay runs on this replica: one at a time, so exchanges keep their share of the CPU. */
public final class ImpactBusy extends RuntimeException {

    ImpactBusy() {
        super("another impact replay is running on this replica; retry when it is done");
    }
}
