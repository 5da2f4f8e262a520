package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodNamesTest {
    @Test
    void podUidsFromBothDrivers() {
        assertThat(PodNames.podUid("kubepods-burstable-pod0b6f2c3d_7e8f_4a1b_9c2d_3e4f5a6b7c8d.slice"))
                .isEqualTo("0b6f2c3d-7e8f-4a1b-9c2d-3e4f5a6b7c8d");
        assertThat(PodNames.podUid("kubepods-pod5f1c7a2e_3b4d_4e8f_9a6b_1c2d3e4f5a6b.slice"))
                .isEqualTo("5f1c7a2e-3b4d-4e8f-9a6b-1c2d3e4f5a6b");
        assertThat(PodNames.podUid("pod3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9"))
                .isEqualTo("3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9");
        assertThat(PodNames.podUid("kubepods-burstable-pode3b0c44298fc1c149afbf4c8996fb924.slice"))
                .as("static pod: a hash, not a UUID").isEqualTo("e3b0c44298fc1c149afbf4c8996fb924");
    }

    @Test
    void otherDirectoriesAreNotPods() {
        assertThat(PodNames.podUid("kubepods-burstable.slice")).isNull();
        assertThat(PodNames.podUid("cri-containerd-2c6611914245dee8.scope")).isNull();
        assertThat(PodNames.podUid("cgroup.procs")).isNull();
        assertThat(PodNames.podUid("system.slice")).isNull();
        assertThat(PodNames.podUid("podcast")).isNull();
    }

    @Test
    void logDirectoryNames() {
        assertThat(PodNames.logDir("kube-system_coredns-5d78c9869d-abcde_0b6f2c3d-7e8f-4a1b-9c2d-3e4f5a6b7c8d"))
                .isEqualTo(new PodNames.PodRef("kube-system", "coredns-5d78c9869d-abcde",
                        "0b6f2c3d-7e8f-4a1b-9c2d-3e4f5a6b7c8d"));
        assertThat(PodNames.logDir("README")).isNull();
        assertThat(PodNames.logDir("a_b")).isNull();
        assertThat(PodNames.logDir("a_b_c_d")).isNull();
        assertThat(PodNames.logDir("ns_name_not-a-uid!")).isNull();
    }
}
