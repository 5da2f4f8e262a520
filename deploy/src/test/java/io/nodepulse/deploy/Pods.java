package io.nodepulse.deploy;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small readings of pod specs: effective security settings, env values, volumes behind mounts. */
final class Pods {
    private Pods() {
    }

    /** The container's security settings with the pod's as fallback, as the kubelet applies them. */
    record Effective(Boolean runAsNonRoot, Long runAsUser, Boolean readOnlyRootFilesystem,
                     Boolean allowPrivilegeEscalation, Boolean privileged, Capabilities capabilities,
                     String seccomp) {
    }

    static Effective effective(PodSpec pod, Container c) {
        PodSecurityContext p = pod.getSecurityContext() != null ? pod.getSecurityContext() : new PodSecurityContext();
        SecurityContext s = c.getSecurityContext() != null ? c.getSecurityContext() : new SecurityContext();
        SeccompProfile seccomp = s.getSeccompProfile() != null ? s.getSeccompProfile() : p.getSeccompProfile();
        return new Effective(
                s.getRunAsNonRoot() != null ? s.getRunAsNonRoot() : p.getRunAsNonRoot(),
                s.getRunAsUser() != null ? s.getRunAsUser() : p.getRunAsUser(),
                s.getReadOnlyRootFilesystem(), s.getAllowPrivilegeEscalation(), s.getPrivileged(),
                s.getCapabilities(), seccomp == null ? null : seccomp.getType());
    }

    /** Plain env values by name (valueFrom entries are absent). */
    static Map<String, String> envValues(Container c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() == null) {
                m.put(e.getName(), e.getValue() == null ? "" : e.getValue());
            }
        }
        return m;
    }

    static Optional<EnvVar> env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    static Optional<VolumeMount> mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst();
    }

    /** The volume mounted at the directory holding {@code file}, if any. */
    static Optional<Volume> volumeHolding(PodSpec pod, Container c, String file) {
        return c.getVolumeMounts().stream()
                .filter(m -> file.startsWith(m.getMountPath().endsWith("/") ? m.getMountPath()
                        : m.getMountPath() + "/"))
                .map(m -> volume(pod, m.getName())).findFirst();
    }

    /** A container port number by name or number. */
    static int port(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no port named " + port.getStrVal())).getContainerPort();
    }

    static BigDecimal amount(Quantity q) {
        return Quantity.getAmountInBytes(q);
    }

    /** Kubernetes' toleration matching: does any toleration tolerate this taint? */
    static boolean tolerates(List<Toleration> tolerations, String key, String value, String effect) {
        for (Toleration t : tolerations) {
            boolean effectOk = t.getEffect() == null || t.getEffect().isEmpty() || t.getEffect().equals(effect);
            boolean exists = "Exists".equals(t.getOperator());
            boolean keyOk = (t.getKey() == null || t.getKey().isEmpty()) ? exists : t.getKey().equals(key);
            boolean valueOk = exists || (t.getValue() == null ? "" : t.getValue()).equals(value == null ? "" : value);
            if (effectOk && keyOk && valueOk) {
                return true;
            }
        }
        return false;
    }
}
