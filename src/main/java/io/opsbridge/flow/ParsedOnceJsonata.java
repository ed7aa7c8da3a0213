package io.opsbridge.flow;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.jsonata.JsonataComponent;
import org.apache.camel.component.jsonata.JsonataEndpoint;
import org.apache.camel.component.jsonata.JsonataFrameBinding;
import org.apache.camel.component.jsonata.JsonataInputOutputType;
import org.apache.camel.support.ExchangeHelper;

/**
 * Camel's {@code jsonata:} component (bound under that name, so the route files do not change), with
 * each version of a template parsed once per thread instead of on every request: Camel's endpoint
 * caches the template's text but parses it again each time, about a tenth of a delivery worker's time.
 * Each evaluation has its own frame, as in Camel's endpoint.
 *
 * <p>The text comes from {@link LiveTemplates}: an edited template file is a new version there, and
 * each thread parses it again at its next use. A request does no file access to find out.
 *
 * <p>A parsed expression is not shared between threads: the library keeps the state of an evaluation
 * under way on the expression object (its input and its innermost frame), and a new evaluation's frame
 * starts from that state. A delivery worker renders the same few templates thousands of times, so each
 * worker parses each version of a template once and keeps it.
 *
 * <p>An endpoint told to read its template at each use ({@code contentCache=false}) or to take it from
 * a header ({@code allowTemplateFromHeader}) behaves exactly as Camel's.
 */
public final class ParsedOnceJsonata extends JsonataComponent {

    private final LiveTemplates templates;

    public ParsedOnceJsonata(LiveTemplates templates) {
        this.templates = templates;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        JsonataEndpoint camels = (JsonataEndpoint) super.createEndpoint(uri, remaining, parameters);
        Template endpoint = new Template(uri, this, camels.getResourceUri(), camels.getFrameBinding(), templates);
        endpoint.setContentCache(camels.isContentCache());
        endpoint.setAllowTemplateFromHeader(camels.isAllowTemplateFromHeader());
        return endpoint;
    }

    static final class Template extends JsonataEndpoint {

        /** This thread's parse of a version of the template. */
        private record Parsed(LiveTemplates.Version version, Jsonata expression) {
        }

        private final ObjectMapper mapper = new ObjectMapper();
        private final ThreadLocal<Parsed> parsed = new ThreadLocal<>();
        private final LiveTemplates templates;
        /** The template's file; null when it is not a file (read once, kept). */
        private final Path file;
        private volatile LiveTemplates.Source source;

        Template(String uri, JsonataComponent component, String resourceUri, JsonataFrameBinding frameBinding,
                LiveTemplates templates) {
            super(uri, component, resourceUri, frameBinding);
            this.templates = templates;
            this.file = resourceUri.startsWith("file:") ? Path.of(resourceUri.substring("file:".length())).toAbsolutePath().normalize()
                    : null;
        }

        @Override
        protected void onExchange(Exchange exchange) throws Exception {
            if (!isContentCache() || isAllowTemplateFromHeader()) {
                super.onExchange(exchange);
                return;
            }
            Object input = getInputType() == JsonataInputOutputType.JsonString
                    ? mapper.readValue(exchange.getIn().getBody(InputStream.class), Object.class)
                    : mapper.convertValue(exchange.getIn().getBody(), Object.class);
            Jsonata expression = expression();
            Jsonata.Frame frame = expression.createFrame();
            if (getFrameBinding() != null) {
                getFrameBinding().bindToFrame(frame);
            }
            Object result = expression.evaluate(input, frame);
            String json = isPrettyPrint() ? mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result)
                    : mapper.writeValueAsString(result);
            ExchangeHelper.setInOutBodyPatternAware(exchange,
                    getOutputType() == JsonataInputOutputType.JsonString ? json : mapper.readTree(json));
        }

        /** This thread's parse of the template's current version: parsed again when the version changed. */
        private Jsonata expression() throws Exception {
            LiveTemplates.Version current = source().current();
            Parsed mine = parsed.get();
            if (mine == null || mine.version() != current) {
                mine = new Parsed(current, Jsonata.jsonata(current.text()));
                parsed.set(mine);
            }
            return mine.expression();
        }

        private LiveTemplates.Source source() throws Exception {
            LiveTemplates.Source found = source;
            if (found == null) {
                if (file != null) {
                    found = templates.source(file);
                } else {
                    try (InputStream template = getResourceAsInputStream()) {
                        found = LiveTemplates.Source.fixed(new String(template.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
                source = found;
            }
            return found;
        }
    }
}
