package io.opsbridge;

import java.util.Map;
import java.util.Optional;

import org.apache.camel.main.Main;

/**
 * Starts the hub: camel-main with {@code application.properties} from the working directory
 * (or {@code -Dopsbridge.config=…} / {@code OPSBRIDGE_CONFIG}), routes from {@code routes/}.
 */
public final class OpsBridge {

    private OpsBridge() {
    }

    public static void main(String[] args) throws Exception {
        create(Map.of()).run(args);
    }

    /** A hub not yet started; {@code overrides} win over every other source of configuration. */
    public static Main create(Map<String, String> overrides) {
        Main main = new Main();
        String config = Optional.ofNullable(System.getProperty("opsbridge.config"))
                .or(() -> Optional.ofNullable(System.getenv("OPSBRIDGE_CONFIG")))
                .orElse("application.properties");
        main.setPropertyPlaceholderLocations("file:" + config);
        main.configure().addConfiguration(new HubConfiguration());
        overrides.forEach(main::addOverrideProperty);
        return main;
    }
}
