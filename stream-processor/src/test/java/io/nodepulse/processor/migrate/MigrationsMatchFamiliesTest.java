package io.nodepulse.processor.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.processor.sink.Column;
import io.nodepulse.processor.sink.FamilyTable;
import io.nodepulse.processor.sink.Resolution;
import io.nodepulse.processor.sink.SqlType;
import io.nodepulse.processor.sink.Tables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The committed migrations and MetricFamilies describe the same tables. The versioned scripts are replayed in
 * order (CREATE TABLE, ALTER TABLE … ADD/DROP COLUMN) and the resulting columns compared with the schema-derived
 * model, so a schema change without a migration fails the build. The repeatable views script must be exactly
 * what the generator writes.
 */
class MigrationsMatchFamiliesTest {
    private static final Pattern CREATE = Pattern.compile("(?s)CREATE TABLE (\\S+) \\((.*?)\\n\\)(?: WITH \\([^)]*\\))?;");
    private static final Pattern ALTER_ADD =
            Pattern.compile("ALTER TABLE (\\S+) ADD COLUMN (?:IF NOT EXISTS )?(\\w+) ([^;,]+?)(?: DEFAULT [^;,]+)?;");
    private static final Pattern ALTER_DROP = Pattern.compile("ALTER TABLE (\\S+) DROP COLUMN (?:IF EXISTS )?(\\w+);");
    private static final Pattern COLUMN = Pattern.compile("\\s*(\\w+) ([a-z ]+?(?:\\[])?)( NOT NULL)?( DEFAULT .*)?");

    @Test
    void replayedMigrationsGiveTheFamilyTables() {
        Map<String, Map<String, String>> tables = replay(Migrations.load());
        List<String> all = new ArrayList<>(List.of(Tables.NODES, Tables.LATEST, Tables.SINK_OFFSETS,
                Tables.REPAIR_QUEUE));
        Tables.hypertables().values().forEach(all::addAll);
        assertThat(tables.keySet()).as("every table parsed").containsExactlyInAnyOrderElementsOf(all);
        for (FamilyTable t : Tables.families()) {
            assertThat(tables.get(Tables.data(t.table()))).as(t.table()).isEqualTo(describe(t.rawColumns()));
            for (Resolution r : Resolution.values()) {
                assertThat(tables.get(Tables.data(t.rollupTable(r)))).as(t.rollupTable(r))
                        .isEqualTo(describe(t.rollupColumns()));
            }
        }
    }

    @Test
    void everyHypertableIsCreatedWithAUniqueKeyOnClusterNodeAndTime() {
        String sql = String.join("\n", Migrations.load().stream().filter(m -> !m.repeatable()).map(Migration::sql)
                .toList());
        for (List<String> tier : Tables.hypertables().values()) {
            for (String table : tier) {
                assertThat(sql).as(table).containsPattern("SELECT create_hypertable\\('" + Pattern.quote(table)
                        + "', by_range\\('(time|bucket)'");
                assertThat(sql).as(table).containsPattern("CREATE UNIQUE INDEX \\w+ ON " + Pattern.quote(table)
                        + " \\(cluster, node, [\\w, ]*(time|bucket) DESC\\);");
            }
        }
    }

    @Test
    void theViewsScriptIsWhatTheGeneratorWrites() {
        Migration views = Migrations.load().stream().filter(m -> m.script().equals(SchemaSql.VIEWS_SCRIPT))
                .findFirst().orElseThrow();
        assertThat(views.sql()).as("regenerate with: java -cp … io.nodepulse.processor.migrate.SchemaSql "
                + "stream-processor/src/main/resources/db/migration").isEqualTo(SchemaSql.views());
    }

    @Test
    void noTslOnlyFeatureIsUsed() {
        for (Migration m : Migrations.load()) {
            assertThat(m.sql().toLowerCase(java.util.Locale.ROOT)).as(m.script())
                    .doesNotContain("add_retention_policy", "add_compression_policy", "compress_chunk",
                            "timescaledb.continuous", "time_bucket_gapfill", "add_job", "timescaledb.compress");
        }
    }

    /** Table → column → "type [NOT NULL]", after every versioned migration in order. */
    static Map<String, Map<String, String>> replay(List<Migration> migrations) {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        for (Migration m : migrations) {
            if (m.repeatable()) {
                continue;
            }
            String sql = m.sql().replaceAll("(?m)--.*$", "");
            Matcher c = CREATE.matcher(sql);
            while (c.find()) {
                Map<String, String> cols = new LinkedHashMap<>();
                for (String line : c.group(2).split(",\\n")) {
                    String l = line.strip();
                    if (l.startsWith("PRIMARY KEY") || l.startsWith("UNIQUE") || l.startsWith("CONSTRAINT")
                            || l.startsWith("CHECK")) {
                        continue;
                    }
                    Matcher col = COLUMN.matcher(l.replaceAll(" CHECK \\(.*\\)", ""));
                    assertThat(col.matches()).as("column line in " + m.script() + ": " + l).isTrue();
                    cols.put(col.group(1), col.group(2) + (col.group(3) != null ? " NOT NULL" : ""));
                }
                tables.put(c.group(1), cols);
            }
            Matcher add = ALTER_ADD.matcher(sql);
            while (add.find()) {
                String type = add.group(3).strip();
                tables.get(add.group(1)).put(add.group(2), type);
            }
            Matcher drop = ALTER_DROP.matcher(sql);
            while (drop.find()) {
                tables.get(drop.group(1)).remove(drop.group(2));
            }
        }
        return tables;
    }

    private static Map<String, String> describe(List<Column> columns) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Column c : columns) {
            m.put(c.name(), c.type().ddl() + (c.notNull() ? " NOT NULL" : ""));
        }
        return m;
    }

    @Test
    void everySqlTypeSpellingIsKnown() {
        List<String> unknown = new ArrayList<>();
        replay(Migrations.load()).forEach((table, cols) -> cols.values().forEach(t -> {
            if (SqlType.ofDdl(t.replace(" NOT NULL", "")) == null) {
                unknown.add(table + ": " + t);
            }
        }));
        assertThat(unknown).isEmpty();
    }
}
