package io.nodepulse.processor.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @Test
    void namesParseIntoVersionedAndRepeatable() {
        Migration v = Migration.of("V12__add_pod_labels.sql", "select 1");
        assertThat(v.version()).isEqualTo(12);
        assertThat(v.description()).isEqualTo("add pod labels");
        assertThat(v.key()).isEqualTo("12");
        Migration r = Migration.of("R__views.sql", "select 1");
        assertThat(r.repeatable()).isTrue();
        assertThat(r.key()).isEqualTo("R__views.sql");
        assertThat(Migration.of("notes.txt", "")).isNull();
        assertThat(Migration.of("V1_missing_underscore.sql", "")).isNull();
    }

    @Test
    void placeholdersAreReplacedAndUnknownOnesRefused() {
        Migration m = Migration.of("R__grants.sql", "GRANT SELECT ON t TO ${reader};");
        assertThat(m.render(Map.of("reader", "\"my \"\"role\"\"\""))).isEqualTo("GRANT SELECT ON t TO \"my \"\"role\"\"\";");
        assertThatThrownBy(() -> m.render(Map.of("writer", "w"))).isInstanceOf(MigrationException.class)
                .hasMessageContaining("${reader}");
    }

    @Test
    void roleNamesBecomeQuotedIdentifiers() {
        assertThat(Migrator.ident("nodepulse_reader")).isEqualTo("\"nodepulse_reader\"");
        assertThat(Migrator.ident("a\"b")).isEqualTo("\"a\"\"b\"");
    }

    @Test
    void checksumIgnoresLineEndingsOnly() {
        assertThat(Migration.checksum("a\r\nb\n")).isEqualTo(Migration.checksum("a\nb\n"));
        assertThat(Migration.checksum("a\nb\n")).isNotEqualTo(Migration.checksum("a\nb \n")).hasSize(64);
    }

    @Test
    void bundledScriptsComeVersionedFirstThenRepeatableByName() {
        List<String> names = Migrations.load().stream().map(Migration::script).toList();
        assertThat(names).startsWith("V1__schema.sql").endsWith("R__grants.sql", "R__views.sql");
    }
}
