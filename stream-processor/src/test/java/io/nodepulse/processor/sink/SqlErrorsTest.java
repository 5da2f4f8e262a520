package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlErrorsTest {

    @ParameterizedTest
    @CsvSource({
            "08006, RETRIABLE", "08001, RETRIABLE", "40001, RETRIABLE", "40P01, RETRIABLE", "53100, RETRIABLE",
            "53300, RETRIABLE", "57P01, RETRIABLE", "57P03, RETRIABLE", "57014, RETRIABLE", "55P03, RETRIABLE",
            "25006, RETRIABLE", "58030, RETRIABLE",
            "23505, UNIQUE_VIOLATION",
            "22021, DATA", "22008, DATA", "22P02, DATA", "23502, DATA", "23514, DATA", "54000, DATA",
            "28P01, AUTH", "28000, AUTH",
            "42501, BROKEN", "42P01, BROKEN", "42703, BROKEN", "0A000, BROKEN", "3D000, BROKEN", "57P04, BROKEN",
            "XX000, BROKEN"})
    void sortsSqlStates(String state, SqlErrors.Kind kind) {
        assertThat(SqlErrors.classify(new SQLException("x", state))).isEqualTo(kind);
    }

    @Test
    void anIoProblemWithoutStateIsRetriable() {
        assertThat(SqlErrors.classify(new SQLException("gone", null, new EOFException()))).isEqualTo(SqlErrors.Kind.RETRIABLE);
        assertThat(SqlErrors.classify(new SQLException("gone"))).isEqualTo(SqlErrors.Kind.RETRIABLE);
    }

    @Test
    void describeKeepsTheFirstLine() {
        assertThat(SqlErrors.describe(new SQLException("ERROR: bad\n  Where: COPY cpu, line 3", "22021")))
                .isEqualTo("SQLState 22021: ERROR: bad");
    }
}
