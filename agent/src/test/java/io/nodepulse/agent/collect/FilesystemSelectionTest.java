package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.collect.parse.MountInfo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilesystemSelectionTest {
    static final CollectSettings DEFAULTS = CollectSettings.forHostRoot(Path.of("/host/proc"), Path.of("/host/sys"),
            Path.of("/host/root"));

    static List<String> selected(String mountinfo, CollectSettings s) {
        return FilesystemCollector.select(MountInfo.parse(mountinfo), s).stream().map(MountInfo.Mount::mountPoint)
                .toList();
    }

    @Test
    void oneMountPerDevicePreferringTheFilesystemRoot() {
        String mi = """
                40 22 259:4 /containerd /var/lib/containerd rw - xfs /dev/nvme1n1 rw
                41 22 259:4 / /var/lib/kubelet rw - xfs /dev/nvme1n1 rw
                42 22 259:4 /logs /var/log/pods rw - xfs /dev/nvme1n1 rw
                22 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw
                """;
        assertThat(selected(mi, DEFAULTS)).containsExactly("/var/lib/kubelet", "/");
    }

    @Test
    void kubeletVolumesRuntimeStorageAndPseudoFilesystemsAreLeftOut() {
        String mi = """
                22 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw
                50 22 259:5 / /var/lib/kubelet/pods/5f1c/volumes/kubernetes.io~csi/pvc-1/mount rw - ext4 /dev/nvme2n1 rw
                51 22 259:6 / /var/lib/kubelet/plugins/kubernetes.io/csi/ebs/abc/globalmount rw - ext4 /dev/nvme3n1 rw
                52 22 259:7 / /var/lib/docker/overlay2/abc/merged rw - ext4 /dev/nvme4n1 rw
                53 22 259:8 / /var/lib/containerd rw - ext4 /dev/nvme5n1 rw
                54 22 0:40 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs rw - overlay overlay rw
                55 22 0:41 / /data/nfs rw - nfs4 server:/export rw
                56 22 0:42 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
                57 22 7:3 / /snap/core/1 ro - squashfs /dev/loop3 ro
                """;
        assertThat(selected(mi, DEFAULTS)).containsExactly("/", "/var/lib/containerd");
    }

    @Test
    void aMountHiddenByALaterMountOnTheSamePointIsLeftOut() {
        String mi = """
                22 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw
                30 22 259:2 / /data rw - ext4 /dev/nvme0n1p2 rw
                31 30 8:17 / /data rw - xfs /dev/sdb1 rw
                """;
        List<MountInfo.Mount> s = FilesystemCollector.select(MountInfo.parse(mi), DEFAULTS);
        assertThat(s).extracting(MountInfo.Mount::source).containsExactly("/dev/nvme0n1p1", "/dev/sdb1");
    }

    @Test
    void aDeviceWhosePreferredMountIsNotVisibleIsReportedThroughAVisibleBind() {
        String mi = """
                22 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw
                40 22 8:16 /sub /srv/sub rw - ext4 /dev/sdb rw
                41 22 8:16 / /data rw - ext4 /dev/sdb rw
                """;
        // /data was mounted after the host root was bound into the container without propagation
        List<MountInfo.Mount> s = FilesystemCollector.select(MountInfo.parse(mi), DEFAULTS,
                m -> !m.mountPoint().equals("/data"));
        assertThat(s).extracting(MountInfo.Mount::mountPoint).containsExactly("/", "/srv/sub");
        assertThat(FilesystemCollector.select(MountInfo.parse(mi), DEFAULTS))
                .as("when both are visible, the mount of the device's root").extracting(MountInfo.Mount::mountPoint)
                .containsExactly("/", "/data");
    }

    @Test
    void exclusionsCanBeOverridden() {
        String mi = """
                22 1 259:1 / / rw - ext4 /dev/nvme0n1p1 rw
                55 22 0:41 / /data/nfs rw - nfs4 server:/export rw
                56 22 259:2 / /scratch rw - ext4 /dev/nvme0n1p2 rw
                """;
        CollectSettings s = DEFAULTS.withFsTypeExclude("^(proc|sysfs)$").withMountExclude("^/scratch$");
        assertThat(selected(mi, s)).containsExactly("/", "/data/nfs");
    }
}
