package io.nodepulse.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The application's own counters and gauges, written out in the Prometheus text format (version 0.0.4).
 * Families are registered once at start; labelled children are created on first use.
 */
public final class MetricRegistry {
    private final List<Family> families = new CopyOnWriteArrayList<>();

    /** A counter family; {@code labels} may be empty. */
    public Counter counter(String name, String help, String... labels) {
        Counter c = new Counter(name, help, labels);
        families.add(c);
        return c;
    }

    /** A gauge family whose children are set by the caller. */
    public Gauge gauge(String name, String help, String... labels) {
        Gauge g = new Gauge(name, help, labels);
        families.add(g);
        return g;
    }

    /** A gauge without labels read when scraped. */
    public void gauge(String name, String help, DoubleSupplier value) {
        families.add(new Family(name, help, "gauge", new String[0]) {
            @Override
            void write(StringBuilder out) {
                header(out);
                sample(out, name, "", value.getAsDouble());
            }
        });
    }

    /** A labelled gauge read when scraped: the supplier returns label values (joined by '\u0000') to value. */
    public void gaugeFamily(String name, String help, Supplier<Map<List<String>, Double>> values, String... labels) {
        families.add(new Family(name, help, "gauge", labels) {
            @Override
            void write(StringBuilder out) {
                header(out);
                for (Map.Entry<List<String>, Double> e : values.get().entrySet()) {
                    sample(out, name, labelText(e.getKey()), e.getValue());
                }
            }
        });
    }

    /** The exposition text of every family. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        for (Family f : families) {
            f.write(out);
        }
        return out.toString();
    }

    abstract static class Family {
        final String name;
        final String help;
        final String type;
        final String[] labels;

        Family(String name, String help, String type, String[] labels) {
            if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
                throw new IllegalArgumentException("bad metric name " + name);
            }
            this.name = name;
            this.help = help;
            this.type = type;
            this.labels = labels;
        }

        abstract void write(StringBuilder out);

        void header(StringBuilder out) {
            out.append("# HELP ").append(name).append(' ')
                    .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }

        String labelText(List<String> values) {
            if (labels.length == 0) {
                return "";
            }
            if (values.size() != labels.length) {
                throw new IllegalArgumentException(name + " wants labels " + Arrays.toString(labels));
            }
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < labels.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(labels[i]).append("=\"").append(escape(values.get(i))).append('"');
            }
            return sb.append('}').toString();
        }

        static String escape(String v) {
            return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        }

        static void sample(StringBuilder out, String name, String labels, double v) {
            out.append(name).append(labels).append(' ');
            if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
                out.append((long) v);
            } else if (Double.isNaN(v)) {
                out.append("NaN");
            } else if (Double.isInfinite(v)) {
                out.append(v > 0 ? "+Inf" : "-Inf");
            } else {
                out.append(v);
            }
            out.append('\n');
        }
    }

    /** A family of settable values keyed by label values. */
    abstract static class Children<C> extends Family {
        final Map<List<String>, C> children = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        Children(String name, String help, String type, String[] labels) {
            super(name, help, type, labels);
        }

        abstract C create();

        abstract double value(C child);

        C child(String... values) {
            if (values.length != labels.length) {
                throw new IllegalArgumentException(name + " wants labels " + Arrays.toString(labels));
            }
            return children.computeIfAbsent(List.of(values), k -> create());
        }

        @Override
        void write(StringBuilder out) {
            header(out);
            for (Map.Entry<List<String>, C> e : children.entrySet()) {
                sample(out, name, labelText(e.getKey()), value(e.getValue()));
            }
        }
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** A monotonically increasing count. */
    public static final class Counter extends Children<DoubleAdder> {
        Counter(String name, String help, String[] labels) {
            super(name, help, "counter", labels);
            if (labels.length == 0) {
                child();
            }
        }

        @Override
        DoubleAdder create() {
            return new DoubleAdder();
        }

        @Override
        double value(DoubleAdder child) {
            return child.sum();
        }

        public void inc(String... labelValues) {
            add(1, labelValues);
        }

        public void add(double amount, String... labelValues) {
            if (amount < 0) {
                throw new IllegalArgumentException("counters only go up");
            }
            child(labelValues).add(amount);
        }

        /** Current value; for tests and status output. */
        public double get(String... labelValues) {
            return child(labelValues).sum();
        }
    }

    /** A value that goes up and down. */
    public static final class Gauge extends Children<double[]> {
        Gauge(String name, String help, String[] labels) {
            super(name, help, "gauge", labels);
        }

        @Override
        double[] create() {
            return new double[1];
        }

        @Override
        double value(double[] child) {
            synchronized (child) {
                return child[0];
            }
        }

        public void set(double v, String... labelValues) {
            double[] c = child(labelValues);
            synchronized (c) {
                c[0] = v;
            }
        }

        public double get(String... labelValues) {
            return value(child(labelValues));
        }

        /** Drops children whose labels are not in {@code keep}, e.g. devices that went away. */
        public void retain(java.util.Collection<List<String>> keep) {
            children.keySet().retainAll(new ArrayList<>(keep));
        }
    }
}
