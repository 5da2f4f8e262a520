package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.deploy.Images.App;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Dockerfiles build what the launcher runs, with the checked module list, as the manifests' user. */
class ImagesTest {

    @ParameterizedTest
    @EnumSource(App.class)
    void entrypointIsTheLaunchersJavaCommandLine(App app) {
        List<String> launcher = Images.launcherCommand(app);
        assertThat(launcher).as("./nodepulse %s passes %s", app.image, app.jvmOptions())
                .contains("@/opt/nodepulse/jvm.options");
        assertThat(Images.entrypoint(app)).isEqualTo(launcher);
        String dockerfile = String.join("\n", Images.lines(app.dockerfile()));
        assertThat(dockerfile).contains("COPY " + app.module + "/jvm.options /opt/nodepulse/jvm.options");
        assertThat(dockerfile)
                .contains("COPY --from=build /src/" + app.module + "/target/lib/ /opt/nodepulse/lib/")
                .contains("COPY --from=build /src/" + app.module + "/target/" + app.artifact
                        + ".jar /opt/nodepulse/app.jar")
                .contains("mvn -B -q -pl " + app.module + " -am package");
    }

    @ParameterizedTest
    @EnumSource(App.class)
    void jlinkStageUsesTheModuleFileAndTheImageRunsAsTheManifestsUser(App app) {
        String dockerfile = String.join("\n", Images.lines(app.dockerfile()));
        assertThat(dockerfile).contains("COPY deploy/docker/" + app.image + ".modules /tmp/" + app.image + ".modules")
                .contains("jlink --add-modules \"$(grep -v '^[[:space:]]*\\(#\\|$\\)' /tmp/" + app.image
                        + ".modules | paste -sd, -)\"")
                .contains("COPY --from=jlink /opt/java /opt/java")
                .containsPattern("(?m)^USER 65532:65532$")
                .containsPattern("(?m)^FROM \\$\\{MAVEN_IMAGE\\} AS build$")
                .containsPattern("(?m)^FROM \\$\\{JDK_IMAGE\\} AS jlink$");
        assertThat(Files.isRegularFile(app.dockerfile().resolveSibling(app.image + ".Dockerfile.dockerignore")))
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(App.class)
    void moduleListNamesRealJdkModulesOnce(App app) {
        List<String> modules = Images.modules(app);
        assertThat(modules).doesNotHaveDuplicates().contains("java.base").doesNotContain("java.desktop");
        var system = ModuleFinder.ofSystem().findAll().stream().map(r -> r.descriptor().name())
                .collect(Collectors.toSet());
        assertThat(system).containsAll(modules);
    }
}
