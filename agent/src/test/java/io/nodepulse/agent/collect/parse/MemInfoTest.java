package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemInfoTest {
    @Test
    void parsesKibibytesToBytes() {
        MemInfo m = MemInfo.parse("""
                MemTotal:       24684092 kB
                MemFree:        23486752 kB
                MemAvailable:   23869648 kB
                Buffers:            5820 kB
                Cached:           619044 kB
                SwapTotal:             0 kB
                SwapFree:              0 kB
                SReclaimable:      99316 kB
                HugePages_Total:       0
                """);
        assertThat(m.total()).isEqualTo(24684092L * 1024);
        assertThat(m.available()).isEqualTo(23869648L * 1024);
        assertThat(m.free()).isEqualTo(23486752L * 1024);
        assertThat(m.buffers()).isEqualTo(5820L * 1024);
        assertThat(m.cached()).isEqualTo(619044L * 1024);
        assertThat(m.sReclaimable()).isEqualTo(99316L * 1024);
        assertThat(m.swapTotal()).isZero();
    }

    @Test
    void oldKernelsLackMemAvailable() {
        MemInfo m = MemInfo.parse("MemTotal: 1000 kB\nMemFree: 500 kB\n");
        assertThat(m.available()).isNull();
    }

    @Test
    void totalIsRequired() {
        assertThatThrownBy(() -> MemInfo.parse("MemFree: 500 kB\n")).hasMessageContaining("MemTotal");
    }
}
