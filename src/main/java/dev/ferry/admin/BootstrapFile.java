package dev.ferry.admin;

import dev.ferry.config.FerryProperties;
import dev.ferry.core.DefinitionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Applies {@code ferry.bootstrap.file} once every bean exists and before the web server starts, so
 * no request is served without it: issuers and rules are created or updated to match the file (nothing else is deleted), so
 * running it on every start, on every replica, is harmless. A file that does not apply stops the
 * start with the reason.
 */
@Component
class BootstrapFile implements SmartInitializingSingleton {

    static final String PRINCIPAL = "bootstrap-file";
    private static final Logger log = LoggerFactory.getLogger(BootstrapFile.class);

    private final Path file;
    private final DefinitionImporter importer;

    BootstrapFile(FerryProperties properties, DefinitionImporter importer) {
        this.file = properties.bootstrap().file();
        this.importer = importer;
    }

    @Override
    public void afterSingletonsInstantiated() {
        try {
            apply();
        } catch (IOException e) {
            throw new IllegalStateException("ferry.bootstrap.file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    void apply() throws IOException {
        if (file == null) {
            return;
        }
        if (!Files.isReadable(file)) {
            throw new IllegalStateException("ferry.bootstrap.file " + file.toAbsolutePath() + " cannot be read");
        }
        String name = file.getFileName().toString();
        ImportResult result;
        try {
            boolean yaml = DefinitionFormats.isYaml(name);
            result =
                    importer.apply(PRINCIPAL, reader -> DefinitionSetController.read(file, yaml, reader), false, false);
        } catch (DefinitionException.Invalid e) {
            throw new IllegalStateException(
                    "ferry.bootstrap.file " + file + " does not apply: " + e.field() + ": " + e.getMessage());
        } catch (DefinitionException.Refused e) {
            throw new IllegalStateException(
                    "ferry.bootstrap.file " + file + " does not apply: " + e.field() + ": " + e.getMessage());
        } catch (DefinitionException e) {
            throw new IllegalStateException("ferry.bootstrap.file " + file + " does not apply: " + e.getMessage());
        }
        log.info(
                "Applied {}: created {}, updated {}, unchanged {}",
                file,
                result.created(),
                result.updated(),
                result.unchanged().size());
    }
}
