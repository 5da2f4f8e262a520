package io.nodepulse.agent.spool;

/**
 * An event read back from the spool.
 *
 * @param id          spool record id: increases by one per appended record, across restarts
 * @param event       the event
 * @param segmentBase base id of the segment it was read from
 * @param endOffset   offset just past it in that segment
 */
public record SpoolRecord(long id, SpoolEvent event, long segmentBase, long endOffset) {
}
