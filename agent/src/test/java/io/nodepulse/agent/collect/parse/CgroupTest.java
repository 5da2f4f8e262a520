package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CgroupTest {
    static final String CPU_STAT = """
            usage_usec 474598029
            user_usec 392555205
            system_usec 82042824
            nr_periods 120
            nr_throttled 7
            throttled_usec 35000
            """;

    @Test
    void keyedFilesMatchWholeKeys() {
        assertThat(Cgroup.keyed(CPU_STAT, "usage_usec")).isEqualTo(474598029L);
        assertThat(Cgroup.keyed(CPU_STAT, "nr_throttled")).isEqualTo(7L);
        assertThat(Cgroup.keyed(CPU_STAT, "throttled_usec")).isEqualTo(35000L);
        assertThat(Cgroup.keyed(CPU_STAT, "usage")).isNull();
        assertThat(Cgroup.keyed("file 10\ninactive_file 4\n", "file")).isEqualTo(10L);
        assertThat(Cgroup.keyed("file 10\ninactive_file 4", "inactive_file")).isEqualTo(4L);
        assertThatThrownBy(() -> Cgroup.keyed("usage_usec 12 34\n", "usage_usec"))
                .hasMessageContaining("'12 34' is not a number (usage_usec)");
        assertThatThrownBy(() -> Cgroup.keyed("usage_usec \n", "usage_usec")).hasMessageContaining("not a number");
    }

    @Test
    void cpuMaxAndLimits() {
        assertThat(Cgroup.cpuMax("max 100000\n").cores()).isNull();
        assertThat(Cgroup.cpuMax("250000 100000\n").cores()).isEqualTo(2.5);
        assertThat(Cgroup.cpuMax("50000\n").cores()).isEqualTo(0.5);
        assertThatThrownBy(() -> Cgroup.cpuMax("")).hasMessageContaining("cpu.max");
        assertThat(Cgroup.limit("max\n")).isNull();
        assertThat(Cgroup.limit("536870912\n")).isEqualTo(536870912L);
        assertThat(Cgroup.number("4096\n", "memory.current")).isEqualTo(4096);
    }
}
