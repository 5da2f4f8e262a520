package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodCollectorTest {
    @TempDir
    Path tmp;

    private NodeMetrics collect(CollectSettings settings, Path tree, Fixtures.ManualClock clock, long seq) {
        try (NodeCollector c = Fixtures.collector(settings, tree, clock)) {
            return Events.complete(c.collect(Events.T0), seq);
        }
    }

    @Test
    void cgroupfsDriverLayout() {
        Path host = Fixtures.copy("host", tmp.resolve("host"));
        CollectSettings s = Fixtures.settings(host).withCgroupRoot(Fixtures.dir("cgroupfs"));
        NodeMetrics e = collect(s, host, new Fixtures.ManualClock(), 1);
        assertThat(e.getPods()).extracting(Pod::getUid, Pod::getQosClass).containsExactly(
                org.assertj.core.groups.Tuple.tuple("2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b", "besteffort"),
                org.assertj.core.groups.Tuple.tuple("3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9", "guaranteed"),
                org.assertj.core.groups.Tuple.tuple("8f7e6d5c-4b3a-4291-8f0e-d9c8b7a6f5e4", "burstable"));
        assertThat(e.getPods().get(1).getCpuUsageSecondsTotal()).isEqualTo(5.0);
        assertThat(e.getPods()).allSatisfy(p -> assertThat(p.getNamespace()).isNull());
    }

    @Test
    void aHundredAndTenPods() {
        Path host = Fixtures.copy("host", tmp.resolve("host"));
        Path cg = tmp.resolve("cgroup");
        Path logs = tmp.resolve("pods");
        List<PodFixtureGenerator.GeneratedPod> generated = PodFixtureGenerator.write(cg, logs, 110, 42);
        CollectSettings s = Fixtures.settings(host).withCgroupRoot(cg).withPodLogDir(logs);
        Fixtures.ManualClock clock = new Fixtures.ManualClock();
        try (NodeCollector c = Fixtures.collector(s, host, clock)) {
            NodeMetrics first = Events.complete(c.collect(Events.T0), 1);
            clock.advanceSeconds(10);
            NodeMetrics second = Events.complete(c.collect(Events.T0.plusSeconds(10)), 2);
            assertThat(second.getPods()).hasSize(110);
            Map<String, PodFixtureGenerator.GeneratedPod> byUid = generated.stream()
                    .collect(Collectors.toMap(PodFixtureGenerator.GeneratedPod::uid, Function.identity()));
            assertThat(second.getPods()).allSatisfy(p -> {
                PodFixtureGenerator.GeneratedPod g = byUid.get(p.getUid());
                assertThat(g).as(p.getUid()).isNotNull();
                assertThat(p.getQosClass()).isEqualTo(g.qos());
                assertThat(p.getNamespace()).isEqualTo(g.namespace());
                assertThat(p.getName()).isEqualTo(g.name());
                assertThat(p.getMemoryWorkingSetBytes()).isBetween(0L, p.getMemoryCurrentBytes());
                assertThat(p.getCpuUsageCores()).as("unchanged files: zero, not null").isEqualTo(0.0);
            });
            assertThat(first.getPods()).allSatisfy(p -> assertThat(p.getCpuUsageCores()).isNull());
            assertThat(second.getPods()).filteredOn(p -> p.getQosClass().equals("besteffort"))
                    .allSatisfy(p -> assertThat(p.getMemoryLimitBytes()).isNull());
        }
    }

    @Test
    void aPodBeingTornDownIsLeftOut() throws Exception {
        Path host = Fixtures.copy("host", tmp.resolve("host"));
        Path debug = host.resolve("sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/"
                + "kubepods-besteffort-pod1c2d3e4f_5a6b_4c7d_8e9f_0a1b2c3d4e5f.slice");
        Files.delete(debug.resolve("cpu.stat"));
        NodeMetrics e = collect(Fixtures.settings(host), host, new Fixtures.ManualClock(), 1);
        assertThat(e.getPods()).hasSize(5).extracting(Pod::getName).doesNotContain("debug-shell");
    }

    @Test
    void aMissingMemoryControllerFileFailsTheCollectorWithAHint() throws Exception {
        Path host = Fixtures.copy("host", tmp.resolve("host"));
        Path prom = host.resolve("sys/fs/cgroup/kubepods.slice/kubepods-pod5f1c7a2e_3b4d_4e8f_9a6b_1c2d3e4f5a6b.slice");
        Files.delete(prom.resolve("memory.current"));
        NodeMetrics e = collect(Fixtures.settings(host), host, new Fixtures.ManualClock(), 1);
        CollectorResult pod = e.getCollectors().stream().filter(r -> r.getName().equals("pod")).findFirst().orElseThrow();
        assertThat(pod.getOk()).isFalse();
        assertThat(pod.getError()).contains("memory.current").contains("memory controller");
        assertThat(e.getPods()).isEmpty();
    }

    @Test
    void noKubepodsIsAnEmptyListNotAFailure() {
        Path pod = Fixtures.copy("pod", tmp.resolve("pod"));
        NodeMetrics e = collect(Fixtures.settings(pod), pod, new Fixtures.ManualClock(), 1);
        assertThat(e.getPods()).isEmpty();
        assertThat(e.getCollectors()).filteredOn(r -> r.getName().equals("pod")).extracting(CollectorResult::getOk)
                .containsExactly(true);
    }
}
