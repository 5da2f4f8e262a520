package io.nodepulse.processor.sink;

import java.util.List;

/** The rows of one table in one batch, in binary COPY format, and whether they go through a staging table. */
final class TableCopy {
    final String table;
    final List<String> columns;
    final boolean staged;
    final BinaryCopy rows;
    private long touchedBy = -1;
    private int mark;
    private int rowsAtMark;

    TableCopy(String table, List<String> columns, boolean staged) {
        this.table = table;
        this.columns = columns;
        this.staged = staged;
        this.rows = new BinaryCopy(64 * 1024);
    }

    /** Remembers where record {@code seq} started writing here; true the first time that record touches it. */
    boolean touch(long seq) {
        if (touchedBy == seq) {
            return false;
        }
        touchedBy = seq;
        mark = rows.mark();
        rowsAtMark = rows.rows();
        return true;
    }

    /** Drops what the record that last touched this table wrote. */
    void undo() {
        rows.truncate(mark, rowsAtMark);
    }

    String columnList() {
        return String.join(", ", columns);
    }

    /** The temporary staging table's name: unqualified, in the session's temporary schema. */
    String stagingTable() {
        return "np_stage_" + table.substring(table.indexOf('.') + 1);
    }
}
