package io.nodepulse.processor.migrate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The migration scripts bundled under {@value #LOCATION} on the classpath, from a directory or a jar. */
public final class Migrations {
    public static final String LOCATION = "db/migration";

    private Migrations() {
    }

    /** Versioned scripts by version, then repeatable ones by name. */
    public static List<Migration> load() {
        return load(Migrations.class.getClassLoader());
    }

    static List<Migration> load(ClassLoader loader) {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader.getResources(LOCATION);
            while (roots.hasMoreElements()) {
                names.addAll(list(roots.nextElement()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + LOCATION + " on the classpath", e);
        }
        List<Migration> all = new ArrayList<>();
        Map<Integer, String> versions = new HashMap<>();
        for (String name : names) {
            Migration m = Migration.of(name, read(loader, LOCATION + "/" + name));
            if (m == null) {
                if (name.endsWith(".sql")) {
                    throw new MigrationException(LOCATION + "/" + name + " is not named V<n>__<words>.sql or "
                            + "R__<words>.sql");
                }
                continue;
            }
            if (!m.repeatable()) {
                String clash = versions.put(m.version(), name);
                if (clash != null) {
                    throw new MigrationException("two migrations have version " + m.version() + ": " + clash
                            + " and " + name);
                }
            }
            all.add(m);
        }
        all.sort(Comparator.comparing(Migration::repeatable)
                .thenComparing(m -> m.repeatable() ? 0 : m.version())
                .thenComparing(Migration::script));
        return List.copyOf(all);
    }

    private static List<String> list(URL root) throws IOException {
        List<String> names = new ArrayList<>();
        switch (root.getProtocol()) {
            case "file" -> {
                try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
                    files.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
                } catch (URISyntaxException e) {
                    throw new IOException("bad migration location " + root, e);
                }
            }
            case "jar" -> {
                JarURLConnection conn = (JarURLConnection) root.openConnection();
                conn.setUseCaches(false);
                try (JarFile jar = conn.getJarFile()) {
                    String prefix = LOCATION + "/";
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(prefix) && n.length() > prefix.length()
                                && n.indexOf('/', prefix.length()) < 0) {
                            names.add(n.substring(prefix.length()));
                        }
                    }
                }
            }
            default -> throw new IOException("cannot list migrations under " + root);
        }
        return names;
    }

    private static String read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new MigrationException("cannot read " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
