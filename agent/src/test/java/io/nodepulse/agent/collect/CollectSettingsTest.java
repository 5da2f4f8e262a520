package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.config.ConfigException;
import io.nodepulse.config.ConfigReader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectSettingsTest {
    @Test
    void inKubernetesTheDefaultsAreTheDaemonSetMounts() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"));
        CollectSettings s = CollectSettings.fromConfig(r, p -> false);
        r.throwIfProblems();
        assertThat(s.proc()).isEqualTo(Path.of("/host/proc"));
        assertThat(s.sys()).isEqualTo(Path.of("/host/sys"));
        assertThat(s.root()).isEqualTo(Path.of("/host/root"));
        assertThat(s.cgroupRoot()).isEqualTo(Path.of("/host/sys/fs/cgroup"));
        assertThat(s.podLogDir()).isEqualTo(Path.of("/host/root/var/log/pods"));
        assertThat(s.perCore()).isFalse();
        assertThat(s.disabled()).isEmpty();
        assertThat(s.interfaceExclude().pattern()).isEqualTo(CollectSettings.DEFAULT_INTERFACE_EXCLUDE);
        assertThat(r.describe()).contains("NODEPULSE_HOST_PROC=/host/proc").contains("NODEPULSE_PER_CORE=false");
    }

    @Test
    void outsideKubernetesWithoutHostMountsThePlainPathsAreUsed() {
        CollectSettings s = CollectSettings.fromConfig(ConfigReader.fromEnv(Map.of()), p -> false);
        assertThat(s.proc()).isEqualTo(Path.of("/proc"));
        assertThat(s.sys()).isEqualTo(Path.of("/sys"));
        assertThat(s.root()).isEqualTo(Path.of("/"));
        assertThat(s.podLogDir()).isEqualTo(Path.of("/var/log/pods"));
        CollectSettings mounted = CollectSettings.fromConfig(ConfigReader.fromEnv(Map.of()),
                p -> p.equals(Path.of("/host/proc")));
        assertThat(mounted.proc()).isEqualTo(Path.of("/host/proc"));
    }

    @Test
    void everyKeyCanBeSet() {
        ConfigReader r = ConfigReader.fromEnv(Map.ofEntries(
                Map.entry("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
                Map.entry("NODEPULSE_HOST_PROC", "/hp"), Map.entry("NODEPULSE_HOST_SYS", "/hs"),
                Map.entry("NODEPULSE_HOST_ROOT", "/hr"), Map.entry("NODEPULSE_CGROUP_ROOT", "/cg"),
                Map.entry("NODEPULSE_POD_LOG_DIR", "/logs"), Map.entry("NODEPULSE_INTERFACE_EXCLUDE", "^lo$"),
                Map.entry("NODEPULSE_DISK_EXCLUDE", "^loop"), Map.entry("NODEPULSE_FS_TYPE_EXCLUDE", "^tmpfs$"),
                Map.entry("NODEPULSE_MOUNT_EXCLUDE", "^/boot"), Map.entry("NODEPULSE_PER_CORE", "true"),
                Map.entry("NODEPULSE_COLLECTORS_DISABLED", "thermal, clock")));
        CollectSettings s = CollectSettings.fromConfig(r, p -> false);
        r.throwIfProblems();
        assertThat(s.proc()).isEqualTo(Path.of("/hp"));
        assertThat(s.cgroupRoot()).isEqualTo(Path.of("/cg"));
        assertThat(s.podLogDir()).isEqualTo(Path.of("/logs"));
        assertThat(s.interfaceExclude().matcher("lo").find()).isTrue();
        assertThat(s.interfaceExclude().matcher("veth1").find()).isFalse();
        assertThat(s.perCore()).isTrue();
        assertThat(s.disabled()).containsExactlyInAnyOrder("thermal", "clock");
    }

    @Test
    void derivedPathsFollowTheirPrefix() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("KUBERNETES_SERVICE_HOST", "x", "NODEPULSE_HOST_SYS", "/mnt/sys",
                "NODEPULSE_HOST_ROOT", "/mnt/root"));
        CollectSettings s = CollectSettings.fromConfig(r, p -> false);
        assertThat(s.cgroupRoot()).isEqualTo(Path.of("/mnt/sys/fs/cgroup"));
        assertThat(s.podLogDir()).isEqualTo(Path.of("/mnt/root/var/log/pods"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigReader r = ConfigReader.fromEnv(Map.of("KUBERNETES_SERVICE_HOST", "x",
                "NODEPULSE_INTERFACE_EXCLUDE", "^(lo", "NODEPULSE_PER_CORE", "yes",
                "NODEPULSE_COLLECTORS_DISABLED", "cpu,gpu", "NODEPULSE_HOST_ROOT", "host/root"));
        CollectSettings.fromConfig(r, p -> false);
        assertThatThrownBy(r::throwIfProblems).isInstanceOf(ConfigException.class)
                .hasMessageContaining("NODEPULSE_INTERFACE_EXCLUDE")
                .hasMessageContaining("NODEPULSE_PER_CORE")
                .hasMessageContaining("unknown collector 'gpu'")
                .hasMessageContaining("host/root is relative");
    }

    @Test
    void defaultExclusionsMatchWhatTheyShould() {
        CollectSettings s = CollectSettings.forHostRoot(Path.of("/p"), Path.of("/s"), Path.of("/r"));
        for (String dev : new String[] {"sda1", "nvme0n1p1", "vda2", "xvdf1", "mmcblk0p1", "mmcblk0boot0", "loop0",
                "ram0", "zram0", "dm-0", "sr0", "nbd3", "md0p1", "md0", "md127", "rbd0", "rbd0p1", "zd0", "zd16p1",
                "loop0p1", "nbd0p1"}) {
            assertThat(s.diskExclude().matcher(dev).find()).as(dev).isTrue();
        }
        for (String dev : new String[] {"sda", "sdaa", "nvme0n1", "vda", "xvdf", "mmcblk0"}) {
            assertThat(s.diskExclude().matcher(dev).find()).as(dev).isFalse();
        }
        for (String name : new String[] {"lo", "veth3f9a2b1c", "cali8d2e9f1a3b4", "flannel.1", "cni0", "docker0",
                "lxc8a1b2c", "lxc_health", "cilium_host", "cilium_vxlan", "vxlan.calico", "tunl0", "kube-ipvs0",
                "nodelocaldns", "genev_sys_6081", "weave", "vethwe-datapath", "datapath", "virbr0", "ifb0", "br-5e2f",
                "eth0.100"}) {
            assertThat(s.interfaceExclude().matcher(name).find()).as(name).isTrue();
        }
        for (String name : new String[] {"eth0", "ens5", "bond0", "enp0s31f6", "wlan0"}) {
            assertThat(s.interfaceExclude().matcher(name).find()).as(name).isFalse();
        }
        assertThat(s.mountExclude().matcher("/var/lib/containerd").find()).isFalse();
        assertThat(s.mountExclude().matcher("/var/lib/containerd/io.containerd.x/rootfs").find()).isTrue();
        assertThat(s.mountExclude().matcher("/var/lib/kubelet").find()).isFalse();
        assertThat(s.mountExclude().matcher("/var/lib/kubelet/pods/u/volumes/v").find()).isTrue();
        assertThat(s.mountExclude().matcher("/devices").find()).isFalse();
        assertThat(s.mountExclude().matcher("/dev/shm").find()).isTrue();
    }
}
