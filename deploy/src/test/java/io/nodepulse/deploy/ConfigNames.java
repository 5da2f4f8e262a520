package io.nodepulse.deploy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The setting names an application reads: every string constant that is exactly a variable name
 * ({@code NODEPULSE_*}, {@code NODE_NAME}) in the classes of its jar that use {@code ConfigReader}. Independent
 * of whether the configuration class already rejects unknown variables itself.
 */
final class ConfigNames {
    private static final Pattern NAME = Pattern.compile("NODEPULSE_[A-Z0-9_]+|NODE_NAME");
    private static final String READER = "io/nodepulse/config/ConfigReader";

    private ConfigNames() {
    }

    /** Names read by the classes in the jar (or class directory) that holds {@code anyClass}. */
    static Set<String> of(Class<?> anyClass) {
        CodeSource src = anyClass.getProtectionDomain().getCodeSource();
        Set<String> names = new TreeSet<>();
        try {
            Path where = Path.of(src.getLocation().toURI());
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.walk(where)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                        try (InputStream in = Files.newInputStream(f)) {
                            scan(in, names);
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry e = entries.nextElement();
                        if (e.getName().endsWith(".class")) {
                            try (InputStream in = jar.getInputStream(e)) {
                                scan(in, names);
                            }
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the classes of " + anyClass.getName(), e);
        }
        return names;
    }

    /** Adds the class's exact-name string constants if the class refers to ConfigReader. */
    private static void scan(InputStream in, Set<String> out) throws IOException {
        DataInputStream d = new DataInputStream(in);
        if (d.readInt() != 0xCAFEBABE) {
            return;
        }
        d.readUnsignedShort();
        d.readUnsignedShort();
        int count = d.readUnsignedShort();
        Set<String> found = new TreeSet<>();
        boolean usesReader = false;
        for (int i = 1; i < count; i++) {
            int tag = d.readUnsignedByte();
            switch (tag) {
                case 1 -> {
                    String s = d.readUTF();
                    if (NAME.matcher(s).matches()) {
                        found.add(s);
                    }
                    if (s.equals(READER) || s.contains("L" + READER + ";")) {
                        usesReader = true;
                    }
                }
                case 7, 8, 16, 19, 20 -> d.readUnsignedShort();
                case 15 -> {
                    d.readUnsignedByte();
                    d.readUnsignedShort();
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> d.readInt();
                case 5, 6 -> {
                    d.readLong();
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        if (usesReader) {
            out.addAll(found);
        }
    }
}
