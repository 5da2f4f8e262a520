package io.nodepulse.agent.bench;

import java.util.Set;
import java.util.stream.Collectors;

/** node_exporter's text reduced to the series that carry the agent's families (for a like-for-like size). */
final class NodeExporterText {
    /** node_exporter's names for the fields of the agent's node-level and per-device families. */
    static final Set<String> SAME_FAMILIES = Set.of(
            "node_cpu_seconds_total",
            "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes", "node_memory_MemFree_bytes",
            "node_memory_Buffers_bytes", "node_memory_Cached_bytes", "node_memory_SReclaimable_bytes",
            "node_memory_SwapTotal_bytes", "node_memory_SwapFree_bytes", "node_vmstat_pswpin", "node_vmstat_pswpout",
            "node_vmstat_pgmajfault", "node_vmstat_oom_kill",
            "node_load1", "node_load5", "node_load15", "node_boot_time_seconds",
            "node_procs_running", "node_procs_blocked", "node_forks_total", "node_context_switches_total",
            "node_intr_total", "node_filefd_allocated", "node_filefd_maximum",
            "node_disk_reads_completed_total", "node_disk_writes_completed_total", "node_disk_read_bytes_total",
            "node_disk_written_bytes_total", "node_disk_io_time_seconds_total",
            "node_disk_io_time_weighted_seconds_total",
            "node_filesystem_size_bytes", "node_filesystem_avail_bytes", "node_filesystem_free_bytes",
            "node_filesystem_files", "node_filesystem_files_free", "node_filesystem_readonly",
            "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
            "node_network_receive_packets_total", "node_network_transmit_packets_total",
            "node_network_receive_errs_total", "node_network_transmit_errs_total",
            "node_network_receive_drop_total", "node_network_transmit_drop_total",
            "node_pressure_cpu_waiting_seconds_total", "node_pressure_memory_waiting_seconds_total",
            "node_pressure_memory_stalled_seconds_total", "node_pressure_io_waiting_seconds_total",
            "node_pressure_io_stalled_seconds_total",
            "node_timex_sync_status", "node_timex_offset_seconds", "node_timex_maxerror_seconds",
            "node_timex_estimated_error_seconds", "node_timex_frequency_adjustment_ratio", "node_timex_status",
            "node_thermal_zone_temp");

    private NodeExporterText() {
    }

    /** The lines (samples and their HELP/TYPE) of the series in {@link #SAME_FAMILIES}. */
    static String sameFamilies(String scrape) {
        return scrape.lines().filter(l -> SAME_FAMILIES.contains(name(l))).collect(Collectors.joining("\n", "", "\n"));
    }

    static long sampleBytes(String text) {
        return text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).mapToLong(l -> l.length() + 1).sum();
    }

    private static String name(String line) {
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
            String rest = line.substring(7);
            int sp = rest.indexOf(' ');
            return sp < 0 ? rest : rest.substring(0, sp);
        }
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
            end++;
        }
        return line.substring(0, end);
    }
}
