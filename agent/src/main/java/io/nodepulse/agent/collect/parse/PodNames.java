package io.nodepulse.agent.collect.parse;

/**
 * Names kubelet gives pod cgroups and pod log directories.
 * <ul>
 *   <li>systemd cgroup driver: {@code kubepods.slice/kubepods-pod<uid>.slice} (guaranteed),
 *       {@code kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice}, likewise besteffort;
 *       the uid's dashes are written as underscores.</li>
 *   <li>cgroupfs driver: {@code kubepods/pod<uid>}, {@code kubepods/burstable/pod<uid>},
 *       {@code kubepods/besteffort/pod<uid>}.</li>
 *   <li>logs: {@code /var/log/pods/<namespace>_<name>_<uid>}; namespaces and names cannot contain '_'.</li>
 * </ul>
 */
public final class PodNames {
    private PodNames() {
    }

    /** A pod's identity from its log directory name. */
    public record PodRef(String namespace, String name, String uid) {
    }

    /**
     * The pod uid in a cgroup directory name, or null when the name is not a pod's (e.g. a container scope or
     * a QoS slice). Works for both drivers.
     */
    public static String podUid(String dirName) {
        String body;
        if (dirName.endsWith(".slice")) {
            int pod = dirName.lastIndexOf("-pod");
            if (!dirName.startsWith("kubepods-") || pod < 0) {
                return null;
            }
            body = dirName.substring(pod + 4, dirName.length() - ".slice".length()).replace('_', '-');
        } else if (dirName.startsWith("pod")) {
            body = dirName.substring(3);
        } else {
            return null;
        }
        return isUid(body) ? body : null;
    }

    /** Kubelet's uids: UUIDs for API pods, 32 hex digits for static pods. */
    static boolean isUid(String s) {
        if (s.length() < 8 || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code <namespace>_<name>_<uid>}, or returns null for other names. */
    public static PodRef logDir(String dirName) {
        int a = dirName.indexOf('_');
        int b = dirName.indexOf('_', a + 1);
        if (a <= 0 || b <= a + 1 || dirName.indexOf('_', b + 1) >= 0 || b == dirName.length() - 1) {
            return null;
        }
        String uid = dirName.substring(b + 1);
        return isUid(uid) ? new PodRef(dirName.substring(0, a), dirName.substring(a + 1, b), uid) : null;
    }
}
