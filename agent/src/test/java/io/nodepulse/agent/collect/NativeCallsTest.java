package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.agent.collect.parse.Timex;
import io.nodepulse.agent.collect.sys.Device;
import io.nodepulse.agent.collect.sys.FsStat;
import io.nodepulse.agent.collect.sys.JnaStatFs;
import io.nodepulse.agent.collect.sys.JnaTimex;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** statvfs and adjtimex through JNA, against what Java itself reports. */
class NativeCallsTest {
    @TempDir
    Path tmp;

    @Test
    void statvfsAgreesWithJavasFileStore() throws IOException {
        for (Path p : new Path[] {Path.of("/"), tmp}) {
            FsStat s = new JnaStatFs().stat(p);
            FileStore store = Files.getFileStore(p);
            assertThat(s.fragmentSize() * s.blocks()).as(p + " size").isEqualTo(store.getTotalSpace());
            assertThat(s.blocksAvailable()).isLessThanOrEqualTo(s.blocksFree());
            assertThat(s.filesFree()).isLessThanOrEqualTo(s.files());
        }
    }

    @Test
    void statvfsOfAMissingPathNamesTheError() {
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> new JnaStatFs().stat(missing))
                .hasMessage("statvfs " + missing + ": ENOENT (no such file or directory)");
    }

    @Test
    void deviceNumbersDecodeLikeGlibc() throws IOException {
        // makedev(259, 1) and makedev(8, 17), and a minor number above 255.
        assertThat(Device.of(0x10301L)).isEqualTo(new Device(259, 1));
        assertThat(Device.of(0x811L)).isEqualTo(new Device(8, 17));
        long big = (0x12345L & 0xff) | ((0x12345L & ~0xffL) << 12) | (7L << 8);
        assertThat(Device.of(big)).isEqualTo(new Device(7, 0x12345));
        // The root filesystem's device as /proc/self/mountinfo names it.
        String rootLine = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].equals("/")).reduce((a, b) -> b).orElseThrow();
        assertThat(new JnaStatFs().device(Path.of("/")).toString()).isEqualTo(rootLine.split(" ")[2]);
    }

    @Test
    void adjtimexReadsTheKernelClockState() throws IOException {
        Timex t = new JnaTimex().read();
        assertThat(t.state()).isBetween(0, Timex.TIME_ERROR);
        assertThat(t.maxError()).isNotNegative();
        assertThat(t.estError()).isNotNegative();
        // The kernel limits the frequency adjustment to 500 ppm.
        assertThat(Math.abs(t.frequencyPpm())).isLessThanOrEqualTo(500.0);
    }

    @Test
    void theTimexStructHasTheKernelsSize() {
        assertThat(new JnaTimex.TimexStruct().size()).isEqualTo(208);
    }
}
