package io.nodepulse.processor.validate;

import io.nodepulse.schema.NodeMetrics;

/**
 * One input record on its way through the pipeline: the bytes as they arrived (what metrics.valid, late and the
 * dead-letter topic carry, so nothing is re-encoded), the decoded event when it could be decoded, and the
 * verdict so far.
 *
 * @param raw       the record value as it arrived
 * @param event     the decoded event, null when rejected before decoding
 * @param verdict   the outcome
 * @param late1h    for LATE events: the 1-hour window has closed as well
 */
public record Checked(byte[] raw, NodeMetrics event, Verdict verdict, boolean late1h) {

    public static Checked accepted(byte[] raw, NodeMetrics event) {
        return new Checked(raw, event, Verdict.ON_TIME, false);
    }

    public static Checked rejected(byte[] raw, NodeMetrics event) {
        return new Checked(raw, event, Verdict.REJECTED, false);
    }

    /** A stream-time marker, see {@link Verdict#TICK}. */
    public static Checked tick() {
        return new Checked(null, null, Verdict.TICK, false);
    }

    public Checked with(Verdict v, boolean lateFor1h) {
        return new Checked(raw, event, v, lateFor1h);
    }

    public boolean is(Verdict v) {
        return verdict == v;
    }

    /** Value of the {@code nodepulse.repair} header of a late event: the resolutions whose windows it missed. */
    public String repair() {
        return late1h ? RepairHeader.MINUTE_AND_HOUR : RepairHeader.MINUTE_ONLY;
    }
}
