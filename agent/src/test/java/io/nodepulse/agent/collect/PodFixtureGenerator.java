package io.nodepulse.agent.collect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Writes a kubelet-style cgroup v2 tree (systemd driver) with {@code pods} pods and their
 * {@code /var/log/pods} directories, the way a node running that many pods looks: about 15 % guaranteed,
 * 60 % burstable and 25 % best-effort pods, one to three containers each, complete interface files.
 * Deterministic for a seed.
 */
public final class PodFixtureGenerator {
    private static final String[] NAMESPACES = {"default", "kube-system", "monitoring", "payments", "search", "batch"};
    private static final String[] APPS = {"api", "web", "worker", "cache", "ingest", "auth", "report", "proxy"};
    private static final String MEMORY_STAT_KEYS = "anon file kernel kernel_stack pagetables sec_pagetables percpu "
            + "sock vmalloc shmem zswap zswapped file_mapped file_dirty file_writeback swapcached anon_thp file_thp "
            + "shmem_thp inactive_anon active_anon inactive_file active_file unevictable slab_reclaimable "
            + "slab_unreclaimable slab workingset_refault_anon workingset_refault_file workingset_activate_anon "
            + "workingset_activate_file workingset_restore_anon workingset_restore_file workingset_nodereclaim pgscan "
            + "pgsteal pgscan_kswapd pgscan_direct pgsteal_kswapd pgsteal_direct pgfault pgmajfault pgrefill "
            + "pgactivate pgdeactivate pglazyfree pglazyfreed thp_fault_alloc thp_collapse_alloc";

    /** One generated pod. */
    public record GeneratedPod(String uid, String qos, String namespace, String name) {
    }

    private PodFixtureGenerator() {
    }

    public static List<GeneratedPod> write(Path cgroupRoot, Path logDir, int pods, long seed) {
        Random r = new Random(seed);
        List<GeneratedPod> out = new ArrayList<>();
        Path kubepods = cgroupRoot.resolve("kubepods.slice");
        write(cgroupRoot.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        write(kubepods.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        for (int i = 0; i < pods; i++) {
            double q = r.nextDouble();
            String qos = q < 0.15 ? "guaranteed" : q < 0.75 ? "burstable" : "besteffort";
            String uid = new UUID(r.nextLong(), r.nextLong()).toString();
            String u = uid.replace('-', '_');
            Path dir = qos.equals("guaranteed") ? kubepods.resolve("kubepods-pod" + u + ".slice")
                    : kubepods.resolve("kubepods-" + qos + ".slice").resolve("kubepods-" + qos + "-pod" + u + ".slice");
            String ns = NAMESPACES[r.nextInt(NAMESPACES.length)];
            String name = APPS[r.nextInt(APPS.length)] + "-" + hex(r, 5) + "-" + hex(r, 3);
            long memLimit = qos.equals("besteffort") ? -1 : (64L << 20) * (1 + r.nextInt(64));
            long memCurrent = memLimit > 0 ? (long) (memLimit * (0.2 + 0.7 * r.nextDouble()))
                    : (8L << 20) * (1 + r.nextInt(32));
            long cpuQuota = qos.equals("besteffort") || r.nextBoolean() && qos.equals("burstable") ? -1
                    : 50_000L * (1 + r.nextInt(8));
            podFiles(dir, r, memCurrent, memLimit, cpuQuota);
            int containers = 1 + r.nextInt(3);
            for (int c = 0; c < containers; c++) {
                String cid = hex(r, 64);
                podFiles(dir.resolve("cri-containerd-" + cid + ".scope"), r, memCurrent / containers, memLimit,
                        cpuQuota);
                write(logDir.resolve(ns + "_" + name + "_" + uid).resolve("c" + c).resolve("0.log"), "");
            }
            out.add(new GeneratedPod(uid, qos, ns, name));
        }
        return out;
    }

    /**
     * Moves every pod's counters and memory on, as {@code seconds} of activity would: CPU usage, periods and
     * throttling grow, memory.current changes by a few percent.
     */
    public static void advance(Path cgroupRoot, double seconds, Random r) {
        try (var files = Files.walk(cgroupRoot)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.equals("cpu.stat")) {
                    StringBuilder out = new StringBuilder();
                    for (String line : Files.readAllLines(f)) {
                        String[] kv = line.split(" ");
                        long v = Long.parseLong(kv[1]);
                        long grown = switch (kv[0]) {
                            case "usage_usec", "user_usec", "system_usec" -> v + (long) (r.nextDouble() * seconds * 5e5);
                            case "nr_periods" -> v > 0 ? v + (long) (seconds * 10) : 0;
                            case "nr_throttled" -> v > 0 ? v + r.nextInt((int) seconds + 1) : 0;
                            case "throttled_usec" -> v > 0 ? v + r.nextInt(100_000) : 0;
                            default -> v;
                        };
                        out.append(kv[0]).append(' ').append(grown).append('\n');
                    }
                    write(f, out.toString());
                } else if (name.equals("memory.current")) {
                    long v = Long.parseLong(Files.readString(f).strip());
                    write(f, (long) (v * (0.97 + 0.06 * r.nextDouble())) + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void podFiles(Path dir, Random r, long memCurrent, long memLimit, long cpuQuota) {
        long usage = (long) (r.nextDouble() * 5e10);
        long periods = cpuQuota > 0 ? r.nextInt(1_000_000) : 0;
        long throttled = periods > 0 ? r.nextInt((int) periods / 10 + 1) : 0;
        write(dir.resolve("cpu.stat"), "usage_usec " + usage + "\nuser_usec " + usage * 4 / 5 + "\nsystem_usec "
                + usage / 5 + "\ncore_sched.force_idle_usec 0\nnr_periods " + periods + "\nnr_throttled " + throttled
                + "\nthrottled_usec " + throttled * 20_000 + "\nnr_bursts 0\nburst_usec 0\n");
        write(dir.resolve("cpu.max"), (cpuQuota > 0 ? Long.toString(cpuQuota) : "max") + " 100000\n");
        write(dir.resolve("cpu.weight"), (1 + r.nextInt(200)) + "\n");
        write(dir.resolve("memory.current"), memCurrent + "\n");
        write(dir.resolve("memory.max"), (memLimit > 0 ? Long.toString(memLimit) : "max") + "\n");
        write(dir.resolve("memory.min"), "0\n");
        write(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill " + (r.nextInt(20) == 0 ? 1 : 0)
                + "\noom_group_kill 0\n");
        StringBuilder stat = new StringBuilder();
        long file = memCurrent / 3;
        for (String key : MEMORY_STAT_KEYS.split(" ")) {
            long v = switch (key) {
                case "anon" -> memCurrent - file;
                case "file" -> file;
                case "inactive_file" -> file / 2;
                case "active_file" -> file - file / 2;
                case "pgfault" -> r.nextInt(10_000_000);
                default -> r.nextInt(4) == 0 ? r.nextInt(1 << 20) * 4096L : 0;
            };
            stat.append(key).append(' ').append(v).append('\n');
        }
        write(dir.resolve("memory.stat"), stat.toString());
        write(dir.resolve("cgroup.procs"), "");
    }

    private static String hex(Random r, int digits) {
        byte[] b = new byte[(digits + 1) / 2];
        r.nextBytes(b);
        return HexFormat.of().formatHex(b).substring(0, digits);
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
