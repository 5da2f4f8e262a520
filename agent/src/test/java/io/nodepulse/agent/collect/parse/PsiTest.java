package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PsiTest {
    @Test
    void parsesSomeAndFull() {
        Psi p = Psi.parse("""
                some avg10=1.09 avg60=2.64 avg300=8.41 total=66006388
                full avg10=0.50 avg60=0.25 avg300=0.10 total=1234
                """);
        assertThat(p.some()).isEqualTo(new Psi.Line(1.09, 2.64, 8.41, 66006388));
        assertThat(p.full()).isEqualTo(new Psi.Line(0.50, 0.25, 0.10, 1234));
    }

    @Test
    void cpuBefore513HasNoFullLine() {
        assertThat(Psi.parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").full()).isNull();
    }

    @Test
    void malformedLinesAreReported() {
        assertThatThrownBy(() -> Psi.parse("some avg10=1 avg60=2 total=3 avg300=4\n"))
                .hasMessageContaining("expected avg300=");
        assertThatThrownBy(() -> Psi.parse("full avg10=0 avg60=0 avg300=0 total=0\n"))
                .hasMessageContaining("no 'some' line");
    }
}
