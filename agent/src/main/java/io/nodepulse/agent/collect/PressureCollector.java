package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.Psi;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pressure;
import io.nodepulse.schema.PressureResource;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Pressure stall information from {@code <proc>/pressure/{cpu,memory,io}}. A resource whose file is missing
 * (kernel without CONFIG_PSI) or refuses reads (booted with psi=0) is null, and the family is null when all
 * three are; that is not a failure. Stall ratios are the growth of the stall totals over the interval.
 */
final class PressureCollector implements Collector<Pressure> {
    private static final String[] RESOURCES = {"cpu", "memory", "io"};
    private final KernelFiles.Handle[] files = new KernelFiles.Handle[RESOURCES.length];
    private final CounterState<String> state = new CounterState<>();

    PressureCollector(CollectSettings settings, KernelFiles kernelFiles) {
        for (int i = 0; i < RESOURCES.length; i++) {
            files[i] = kernelFiles.handle(settings.proc().resolve("pressure").resolve(RESOURCES[i]));
        }
    }

    @Override
    public String name() {
        return "pressure";
    }

    @Override
    public Pressure collect(Cycle cycle) throws IOException {
        PressureResource[] res = new PressureResource[RESOURCES.length];
        boolean any = false;
        state.begin();
        for (int i = 0; i < RESOURCES.length; i++) {
            Cycle.Reading r = readIfSupported(cycle, files[i]);
            if (r == null) {
                continue;
            }
            Psi p = Psi.parse(r.text());
            res[i] = resource(p, state.update(RESOURCES[i], r.nanos(),
                    new long[] {p.some().totalMicros(), p.full() == null ? 0 : p.full().totalMicros()}));
            any = true;
        }
        state.end();
        if (!any) {
            return null;
        }
        return Pressure.newBuilder().setCpuPressure(res[0]).setMemoryPressure(res[1]).setIoPressure(res[2]).build();
    }

    static PressureResource resource(Psi p, Delta d) {
        PressureResource.Builder b = PressureResource.newBuilder()
                .setSomeAvg10(p.some().avg10())
                .setSomeAvg60(p.some().avg60())
                .setSomeAvg300(p.some().avg300())
                .setSomeStallSecondsTotal(p.some().totalMicros() / 1e6)
                .setSomeStallRatio(d == null ? null : Delta.clampRatio(d.perSecond(0, 1e-6)));
        if (p.full() != null) {
            b.setFullAvg10(p.full().avg10())
                    .setFullAvg60(p.full().avg60())
                    .setFullAvg300(p.full().avg300())
                    .setFullStallSecondsTotal(p.full().totalMicros() / 1e6)
                    .setFullStallRatio(d == null ? null : Delta.clampRatio(d.perSecond(1, 1e-6)));
        }
        return b.build();
    }

    private static Cycle.Reading readIfSupported(Cycle cycle, KernelFiles.Handle file) throws IOException {
        try {
            return cycle.read(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("Operation not supported")) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void put(NodeMetrics.Builder event, Pressure family) {
        event.setPressure(family);
    }

    @Override
    public void reset() {
        state.clear();
    }
}
