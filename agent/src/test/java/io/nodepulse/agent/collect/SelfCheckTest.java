package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.collect.sys.Device;
import io.nodepulse.agent.collect.sys.StatFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfCheckTest {
    @TempDir
    Path tmp;

    private SelfCheck check(CollectSettings s, StatFs statFs) {
        return HostViewCheck.run(s, new KernelFiles(), statFs, null);
    }

    @Test
    void missingHostMountsAreNamedWithTheVariableToSet() {
        Path none = tmp.resolve("none");
        SelfCheck c = check(CollectSettings.forHostRoot(none.resolve("proc"), none.resolve("sys"), none.resolve("root")),
                Fixtures.statFs(Fixtures.dir("host")));
        assertThat(c.hostView()).isFalse();
        assertThat(c.findings()).containsExactly(
                "container view: NODEPULSE_HOST_PROC=" + none.resolve("proc") + " does not exist: mount the host's "
                        + "/proc there (hostPath, read-only), or set NODEPULSE_HOST_PROC to where it is mounted",
                "container view: NODEPULSE_HOST_SYS=" + none.resolve("sys") + " does not exist: mount the host's "
                        + "/sys there (hostPath, read-only), or set NODEPULSE_HOST_SYS to where it is mounted",
                "container view: NODEPULSE_HOST_ROOT=" + none.resolve("root") + " does not exist: mount the host's "
                        + "/ there (hostPath, read-only), or set NODEPULSE_HOST_ROOT to where it is mounted");
    }

    @Test
    void anEmptyDirectoryIsNotProc() throws IOException {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        Path empty = Files.createDirectories(tmp.resolve("empty-proc"));
        SelfCheck c = check(Fixtures.settings(tree), Fixtures.statFs(tree));
        assertThat(c.hostView()).isTrue();
        SelfCheck bad = check(CollectSettings.forHostRoot(empty, tree.resolve("sys"), tree.resolve("root")),
                Fixtures.statFs(tree));
        assertThat(bad.hostView()).isFalse();
        assertThat(bad.findings()).containsExactly("container view: " + empty
                + " is not a proc filesystem (it has no 'stat'): mount the host's /proc there");
    }

    @Test
    void aRootPrefixOnAnotherDeviceIsNotTheHostRoot() {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        // An empty /host/root directory in the image: the container's overlay, not the host's disk.
        Fixtures.FakeStatFs overlay = Fixtures.statFs(tree);
        overlay.devices.put("/", new Device(0, 123));
        SelfCheck c = check(Fixtures.settings(tree), overlay);
        assertThat(c.hostView()).isFalse();
        assertThat(c.findings()).containsExactly("container view: " + tree.resolve("root")
                + " is on device 0:123 but the host's / is 259:1 (/dev/nvme0n1p1): mount the host's / at "
                + tree.resolve("root"));
    }

    @Test
    void cgroupV1AndNoPsiAreNotes() throws IOException {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        Files.delete(tree.resolve("sys/fs/cgroup/cgroup.controllers"));
        CounterHandlingTest.deleteTree(tree.resolve("proc/pressure"));
        SelfCheck c = check(Fixtures.settings(tree), Fixtures.statFs(tree));
        assertThat(c.hostView()).isTrue();
        assertThat(c.findings()).containsExactly(
                "note: pressure stall information is not available (kernel without CONFIG_PSI, or booted with psi=0): "
                        + "the pressure family will be null",
                "note: cgroup v2 is not mounted at " + tree.resolve("sys/fs/cgroup")
                        + " (cgroup v1 or hybrid hierarchy): pods are not collected");
    }

    @Test
    void anUnusualInitIsANoteAndAPauseContainerIsNotTheHost() {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        Fixtures.write(tree.resolve("proc/1/comm"), "my-init\n");
        SelfCheck odd = check(Fixtures.settings(tree), Fixtures.statFs(tree));
        assertThat(odd.hostView()).isTrue();
        assertThat(odd.findings()).singleElement().asString().startsWith("note: pid 1 in ").contains("'my-init'");
        Fixtures.write(tree.resolve("proc/1/comm"), "pause\n");
        SelfCheck pause = check(Fixtures.settings(tree), Fixtures.statFs(tree));
        assertThat(pause.hostView()).isFalse();
        assertThat(pause.findings()).singleElement().asString().startsWith("container view: pid 1 in ")
                .contains("'pause'");
    }

    @Test
    void podLogsMissingIsANote() {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        CounterHandlingTest.deleteTree(tree.resolve("root/var/log"));
        SelfCheck c = check(Fixtures.settings(tree), Fixtures.statFs(tree));
        assertThat(c.findings()).containsExactly("note: " + tree.resolve("root/var/log/pods")
                + " does not exist: pods are reported without namespace and name");
    }
}
