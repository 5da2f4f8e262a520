package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.Fields;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.ThermalZone;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Thermal zones from {@code <sys>/class/thermal/thermal_zone*}: {@code type} and {@code temp}
 * (millidegrees Celsius). No thermal class (most cloud VMs) is an empty list. A zone whose sensor refuses a
 * read (some drivers return EIO or ENODATA while a device sleeps) is left out of that cycle.
 */
final class ThermalCollector implements Collector<List<ThermalZone>> {
    /** thermal_zone2 before thermal_zone10. */
    static final Comparator<String> ZONE_ORDER =
            Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    private final Path dir;
    private final Map<String, KernelFiles.Handle> temps = new HashMap<>();
    private final Map<String, String> types = new HashMap<>();

    ThermalCollector(CollectSettings settings) {
        this.dir = settings.sys().resolve("class/thermal");
    }

    @Override
    public String name() {
        return "thermal";
    }

    @Override
    public List<ThermalZone> collect(Cycle cycle) throws IOException {
        String[] names;
        try {
            names = cycle.list(dir);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        Arrays.sort(names, ZONE_ORDER);
        List<ThermalZone> out = new ArrayList<>();
        for (String zone : names) {
            if (!zone.startsWith("thermal_zone")) {
                continue;
            }
            KernelFiles.Handle temp = temps.computeIfAbsent(zone, z -> new KernelFiles.Handle(dir.resolve(z)
                    .resolve("temp")));
            long milli;
            try {
                milli = Fields.signed(Fields.firstLine(cycle.readOnce(temp)), zone + " temp");
            } catch (IOException | IllegalArgumentException e) {
                continue;
            }
            String type = types.get(zone);
            if (type == null) {
                try {
                    type = Fields.firstLine(cycle.readFile(dir.resolve(zone).resolve("type")));
                } catch (IOException | IllegalArgumentException e) {
                    continue; // like an unreadable temp: this zone is left out, the others are reported
                }
                types.put(zone, type);
            }
            out.add(ThermalZone.newBuilder().setZone(zone).setType(type).setCelsius(milli / 1000.0).build());
        }
        return out;
    }

    @Override
    public void put(NodeMetrics.Builder event, List<ThermalZone> family) {
        event.setThermalZones(family == null ? List.of() : family);
    }

    @Override
    public void reset() {
        temps.clear();
        types.clear();
    }
}
