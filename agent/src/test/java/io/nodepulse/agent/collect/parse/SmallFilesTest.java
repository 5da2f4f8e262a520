package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** vmstat, loadavg, uptime, file-nr and the field helpers. */
class SmallFilesTest {
    @Test
    void vmstatKeepsFourCounters() {
        VmStat v = VmStat.parse("nr_free_pages 1\npswpin 12\npswpout 34\npgmajfault 976\noom_kill 3\npgfault 99\n");
        assertThat(v).isEqualTo(new VmStat(12, 34, 976, 3L));
        assertThat(VmStat.parse("pswpin 0\npswpout 0\npgmajfault 1\n").oomKill()).isNull();
        assertThatThrownBy(() -> VmStat.parse("oom_kill 3\n")).hasMessageContaining("pswpin");
    }

    @Test
    void loadavgAndUptime() {
        LoadAvg l = LoadAvg.parse("1.28 0.97 0.59 1/213 17981\n");
        assertThat(l).isEqualTo(new LoadAvg(1.28, 0.97, 0.59, 1, 213));
        assertThat(LoadAvg.uptimeSeconds("1090.37 1677.97\n")).isEqualTo(1090.37);
        assertThatThrownBy(() -> LoadAvg.parse("1.0 2.0\n")).hasMessageContaining("2 fields");
    }

    @Test
    void fileNrKeepsAllocatedAndMax() {
        assertThat(FileNr.parse("1057\t0\t2466186\n")).isEqualTo(new FileNr(1057, 2466186));
        assertThat(FileNr.parse("9\t0\t9223372036854775807\n").max()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void unsignedValuesBeyondLongAreClamped() {
        assertThat(Fields.unsigned("18446744073709551615", "x")).isEqualTo(Long.MAX_VALUE);
        assertThat(Fields.unsigned("0", "x")).isZero();
        assertThatThrownBy(() -> Fields.unsigned("-1", "x")).hasMessageContaining("'-1' is not a number (x)");
        assertThat(Fields.signed("-5000", "t")).isEqualTo(-5000);
    }

    @Test
    void splitCollapsesSpacesAndTabs() {
        assertThat(Fields.split("  a \t b   c ")).containsExactly("a", "b", "c");
        assertThat(Fields.split("   ")).isEmpty();
        assertThat(Fields.lines("a\nb\n")).containsExactly("a", "b");
        assertThat(Fields.lines("a\n\nb")).containsExactly("a", "", "b");
    }

    @Test
    void valuesKeepsTheWantedKeysLastValueAndTheRestOfItsLine() {
        assertThat(Fields.values("a: 1 kB\nab: 2\nb:3\nno separator\n: 4\na: 5", ':', List.of("a", "b", "c")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("a", " 5", "b", "3"));
    }
}
