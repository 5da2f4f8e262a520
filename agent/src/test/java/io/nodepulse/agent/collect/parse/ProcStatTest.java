package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {
    static final String STAT = """
            cpu  39255 0 8008 167796 1201 0 195 534 0 0
            cpu0 19093 0 3550 85451 105 0 23 256 0 0
            cpu1 20161 0 4458 82345 1095 0 171 278 0 0
            intr 582272 0 0 0 0 0 0 1 1 14
            ctxt 1271078
            btime 1795619463
            processes 17981
            procs_running 2
            procs_blocked 1
            softirq 304898 0 37078 4 14187 111653 0 2 77079 0 64895
            """;

    @Test
    void parsesTotalsPerCpuAndCounters() {
        ProcStat s = ProcStat.parse(STAT);
        assertThat(s.total()).containsExactly(39255, 0, 8008, 167796, 1201, 0, 195, 534);
        assertThat(s.cpus()).hasSize(2);
        assertThat(s.cpus().get(1).cpu()).isEqualTo(1);
        assertThat(s.cpus().get(1).ticks()[ProcStat.IOWAIT]).isEqualTo(1095);
        assertThat(s.interrupts()).isEqualTo(582272);
        assertThat(s.contextSwitches()).isEqualTo(1271078);
        assertThat(s.bootTimeSeconds()).isEqualTo(1795619463);
        assertThat(s.forks()).isEqualTo(17981);
        assertThat(s.running()).isEqualTo(2);
        assertThat(s.blocked()).isEqualTo(1);
    }

    @Test
    void offlineCpusAreAbsentAndOldKernelsLackSteal() {
        String old = STAT.replace("cpu1 20161 0 4458 82345 1095 0 171 278 0 0\n", "")
                .replace("cpu  39255 0 8008 167796 1201 0 195 534 0 0", "cpu  39255 0 8008 167796 1201 0 195");
        ProcStat s = ProcStat.parse(old);
        assertThat(s.cpus()).extracting(ProcStat.CpuTicks::cpu).containsExactly(0);
        assertThat(s.total()[ProcStat.STEAL]).isZero();
    }

    @Test
    void missingLinesAreReported() {
        assertThatThrownBy(() -> ProcStat.parse("intr 1\nctxt 2\n")).hasMessageContaining("no 'cpu' line");
        assertThatThrownBy(() -> ProcStat.parse(STAT.replace("btime 1795619463\n", "")))
                .hasMessageContaining("btime");
        assertThatThrownBy(() -> ProcStat.parse(STAT.replace("ctxt 1271078", "ctxt x12")))
                .hasMessageContaining("'x12' is not a number");
    }
}
