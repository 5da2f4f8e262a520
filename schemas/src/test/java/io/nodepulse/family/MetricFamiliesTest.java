package io.nodepulse.family;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricFamiliesTest {
    @Test
    void derivesEveryFamilyFromTheSchema() {
        assertThat(MetricFamilies.all()).extracting(MetricFamily::name).containsExactly("cpu", "memory", "load",
                "processes", "fileDescriptors", "clock", "cpuPressure", "memoryPressure", "ioPressure", "disk",
                "filesystem", "interface", "thermal", "pod");
    }

    @Test
    void kindsComeFromTheMetricProperty() {
        MetricFamily cpu = MetricFamilies.byName("cpu");
        assertThat(cpu.fields(MetricKind.COUNTER)).extracting(MetricField::name).containsExactly("userSecondsTotal",
                "niceSecondsTotal", "systemSecondsTotal", "idleSecondsTotal", "iowaitSecondsTotal", "irqSecondsTotal",
                "softirqSecondsTotal", "stealSecondsTotal");
        assertThat(cpu.fields(MetricKind.GAUGE)).extracting(MetricField::name).containsExactly("count");
        assertThat(cpu.fields(MetricKind.RATE)).hasSize(9);
        assertThat(cpu.field("busyRatio").column()).isEqualTo("busy_ratio");
        assertThat(cpu.field("busyRatio").unit()).isEqualTo("ratio 0..1");
    }

    @Test
    void devicesAreKeysNotFieldsAndDescriptiveFieldsAreAttributes() {
        MetricFamily fs = MetricFamilies.byName("filesystem");
        assertThat(fs.deviceField()).isEqualTo("mountPoint");
        assertThat(fs.fields()).extracting(MetricField::name).doesNotContain("mountPoint");
        assertThat(fs.fields(MetricKind.ATTRIBUTE)).extracting(MetricField::name)
                .containsExactly("device", "fsType", "readOnly");
        assertThat(MetricFamilies.byName("pod").fields(MetricKind.ATTRIBUTE)).extracting(MetricField::name)
                .containsExactly("namespace", "name", "qosClass");
        assertThat(MetricFamilies.byName("clock").field("synced").kind()).isEqualTo(MetricKind.GAUGE);
        assertThat(MetricFamilies.byName("load").field("bootTime").timestamp()).isTrue();
    }

    @Test
    void visitsEveryFamilyRecordOfAnEvent() {
        NodeMetrics event = SampleMetrics.event("c", "n", "b", "r", 2, Instant.parse("2026-11-25T10:00:00Z"));
        List<String> seen = new ArrayList<>();
        MetricFamilies.forEach(event, (family, device, record) -> seen.add(family.name() + ":" + device));
        assertThat(seen).contains("cpu:", "cpuPressure:", "disk:sda", "disk:nvme0n1", "filesystem:/",
                "filesystem:/var/lib/kubelet", "interface:eth0", "thermal:thermal_zone0").hasSize(9 + 2 + 2 + 2 + 1 + 3);
        event.setCpu(null);
        event.getPressure().setCpuPressure(null);
        seen.clear();
        MetricFamilies.forEach(event, (family, device, record) -> seen.add(family.name()));
        assertThat(seen).doesNotContain("cpu", "cpuPressure");
    }

    @Test
    void numbersComeOutOfBooleansTimestampsAndNulls() {
        NodeMetrics event = SampleMetrics.event("c", "n", "b", "r", 1, Instant.parse("2026-11-25T10:00:00Z"));
        MetricFamily load = MetricFamilies.byName("load");
        assertThat(load.field("bootTime").number(event.getLoad()))
                .isEqualTo((double) event.getLoad().getBootTime().toEpochMilli());
        assertThat(MetricFamilies.byName("clock").field("synced").number(event.getClock())).isEqualTo(1.0);
        assertThat(MetricFamilies.byName("cpu").field("busyRatio").number(event.getCpu())).isNull();
    }
}
