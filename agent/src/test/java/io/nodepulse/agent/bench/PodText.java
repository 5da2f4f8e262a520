package io.nodepulse.agent.bench;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;

/**
 * The pod families of an event as Prometheus text, for the bytes comparison: node_exporter has no pods, so
 * the reference text for an event with pods is node_exporter's scrape plus these samples. Metric names are
 * cAdvisor's (what kubelet exposes per pod); labels are only namespace and pod, shorter than cAdvisor's
 * (which adds id, image, name and container), so the reference errs on the small side. Counters and gauges
 * only: a Prometheus pipeline computes rates on the server.
 */
final class PodText {
    private PodText() {
    }

    static String render(NodeMetrics event) {
        StringBuilder sb = new StringBuilder();
        if (event.getPods().isEmpty()) {
            return "";
        }
        header(sb, "container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.");
        for (Pod p : event.getPods()) {
            sample(sb, "container_cpu_usage_seconds_total", p, p.getCpuUsageSecondsTotal());
        }
        header(sb, "container_cpu_cfs_periods_total", "counter", "Number of elapsed enforcement period intervals.");
        for (Pod p : event.getPods()) {
            sample(sb, "container_cpu_cfs_periods_total", p, p.getCpuPeriodsTotal());
        }
        header(sb, "container_cpu_cfs_throttled_periods_total", "counter", "Number of throttled period intervals.");
        for (Pod p : event.getPods()) {
            sample(sb, "container_cpu_cfs_throttled_periods_total", p, p.getCpuThrottledPeriodsTotal());
        }
        header(sb, "container_cpu_cfs_throttled_seconds_total", "counter", "Total time duration the container has been throttled.");
        for (Pod p : event.getPods()) {
            sample(sb, "container_cpu_cfs_throttled_seconds_total", p, p.getCpuThrottledSecondsTotal());
        }
        header(sb, "container_oom_events_total", "counter", "Count of out of memory events observed for the container");
        for (Pod p : event.getPods()) {
            sample(sb, "container_oom_events_total", p, p.getOomKillsTotal());
        }
        header(sb, "container_spec_cpu_quota", "gauge", "CPU quota of the container.");
        for (Pod p : event.getPods()) {
            if (p.getCpuLimitCores() != null) {
                sample(sb, "container_spec_cpu_quota", p, p.getCpuLimitCores() * 100_000);
            }
        }
        header(sb, "container_memory_usage_bytes", "gauge", "Current memory usage in bytes, including all memory regardless of when it was accessed");
        for (Pod p : event.getPods()) {
            sample(sb, "container_memory_usage_bytes", p, p.getMemoryCurrentBytes());
        }
        header(sb, "container_memory_working_set_bytes", "gauge", "Current working set in bytes.");
        for (Pod p : event.getPods()) {
            sample(sb, "container_memory_working_set_bytes", p, p.getMemoryWorkingSetBytes());
        }
        header(sb, "container_spec_memory_limit_bytes", "gauge", "Memory limit for the container.");
        for (Pod p : event.getPods()) {
            sample(sb, "container_spec_memory_limit_bytes", p, p.getMemoryLimitBytes() == null ? 0 : p.getMemoryLimitBytes());
        }
        header(sb, "kube_pod_status_qos_class", "gauge", "The pods current qosClass.");
        for (Pod p : event.getPods()) {
            sb.append("kube_pod_status_qos_class{namespace=\"").append(p.getNamespace()).append("\",pod=\"")
                    .append(p.getName()).append("\",qos_class=\"").append(p.getQosClass()).append("\"} 1\n");
        }
        return sb.toString();
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder sb, String name, Pod p, double v) {
        sb.append(name).append("{namespace=\"").append(p.getNamespace()).append("\",pod=\"").append(p.getName())
                .append("\"} ");
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            sb.append((long) v);
        } else {
            sb.append(v);
        }
        sb.append('\n');
    }
}
