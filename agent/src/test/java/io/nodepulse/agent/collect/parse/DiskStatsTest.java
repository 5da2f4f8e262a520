package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiskStatsTest {
    @Test
    void parsesEveryKernelFormat() {
        List<DiskStats.Disk> d = DiskStats.parse("""
                 254       0 vda 46493 9177 2460698 40379 74123 15044 3294128 30526 0 18952 73489 7398 55 281320 880 22673 1702
                   8       0 sda 100 0 800 10 200 0 1600 20 0 30 40 0 0 0 0
                   8      16 sdb 1 0 8 1 2 0 16 2 0 3 4
                """);
        assertThat(d).extracting(DiskStats.Disk::name).containsExactly("vda", "sda", "sdb");
        assertThat(d.get(0)).isEqualTo(new DiskStats.Disk("vda", 46493, 2460698, 74123, 3294128, 18952, 73489));
        assertThat(d.get(2).weightedIoMs()).isEqualTo(4);
    }

    @Test
    void shortLinesAreMalformed() {
        assertThatThrownBy(() -> DiskStats.parse("8 0 sda 1 2 3\n")).hasMessageContaining("expected at least 14");
    }
}
