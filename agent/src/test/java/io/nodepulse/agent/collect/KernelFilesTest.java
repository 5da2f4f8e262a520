package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelFilesTest {
    @TempDir
    Path tmp;

    @Test
    void keptOpenFilesSeeNewContentAndUnreadFilesAreClosed() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Fixtures.write(a, "one\n");
        Fixtures.write(b, "x\n");
        KernelFiles.Handle ha = new KernelFiles.Handle(a);
        KernelFiles.Handle hb = new KernelFiles.Handle(b);
        try (KernelFiles files = new KernelFiles()) {
            assertThat(files.read(ha)).isEqualTo("one\n");
            assertThat(files.read(hb)).isEqualTo("x\n");
            files.sweep();
            assertThat(files.openFiles()).isEqualTo(2);
            Fixtures.write(a, "two, longer\n");
            assertThat(files.read(ha)).isEqualTo("two, longer\n");
            files.sweep();
            assertThat(files.openFiles()).as("b was not read in the last cycle").isEqualTo(1);
            Fixtures.write(b, "y\n");
            assertThat(files.read(hb)).as("a closed handle opens again").isEqualTo("y\n");
            assertThat(files.handle(a)).isSameAs(files.handle(a));
        }
    }

    @Test
    void theOpenFileCapIsKept() throws IOException {
        try (KernelFiles files = new KernelFiles(1)) {
            for (int i = 0; i < 3; i++) {
                Path p = tmp.resolve("f" + i);
                Fixtures.write(p, "v" + i);
                assertThat(files.read(new KernelFiles.Handle(p))).isEqualTo("v" + i);
            }
            assertThat(files.openFiles()).isEqualTo(1);
        }
        try (KernelFiles files = new KernelFiles(0)) {
            Fixtures.write(tmp.resolve("g"), "g");
            files.read(new KernelFiles.Handle(tmp.resolve("g")));
            assertThat(files.openFiles()).isZero();
        }
    }

    @Test
    void largeFilesGrowTheBufferAndKernelFilesReadWhole() throws IOException {
        String big = "line of mountinfo text\n".repeat(20_000);
        Fixtures.write(tmp.resolve("big"), big);
        try (KernelFiles files = new KernelFiles()) {
            assertThat(files.read(new KernelFiles.Handle(tmp.resolve("big")))).isEqualTo(big);
            KernelFiles.Handle self = new KernelFiles.Handle(Path.of("/proc/self/stat"));
            String stat = files.read(self);
            assertThat(files.read(self)).as("read again through the open handle").startsWith(stat.substring(0, 8));
            assertThat(stat).startsWith(Long.toString(ProcessHandle.current().pid()) + " (");
            assertThat(files.read(Path.of("/proc/meminfo"))).startsWith("MemTotal:").endsWith("\n");
        }
    }

    @Test
    void missingFilesAndDirectoriesSayWhich() {
        try (KernelFiles files = new KernelFiles()) {
            assertThatThrownBy(() -> files.read(new KernelFiles.Handle(tmp.resolve("nope"))))
                    .isInstanceOf(NoSuchFileException.class)
                    .hasMessage(tmp.resolve("nope").toString());
            assertThatThrownBy(() -> files.list(tmp.resolve("nodir"))).isInstanceOf(NoSuchFileException.class);
        }
    }
}
