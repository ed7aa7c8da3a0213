package io.opsbridge;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapper: strict on input (no duplicate keys, nothing after the value). */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /**
     * Parses a request body that must be UTF-8 JSON (RFC 8259). Jackson would also detect UTF-16 and
     * UTF-32 and skip a byte-order mark; refusing them keeps every stored body plain UTF-8.
     */
    public static JsonNode readUtf8(byte[] body) throws IOException {
        if (body.length >= 2 && ((body[0] & 0xFF) == 0xFE || (body[0] & 0xFF) == 0xFF || (body[0] & 0xFF) == 0xEF)) {
            throw new JsonParseException(null, "a byte-order mark or non-UTF-8 encoding");
        }
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                throw new JsonParseException(null, "UTF-16 or UTF-32 encoding");
            }
        }
        return MAPPER.readTree(body);
    }

    /**
     * {@link #readUtf8} after checking that every byte sequence is well-formed UTF-8: Jackson decodes
     * an overlong sequence ({@code C0 AF} for {@code /}) or an encoded surrogate without complaint.
     */
    public static JsonNode readStrictUtf8(byte[] body) throws IOException {
        if (!isWellFormedUtf8(body)) {
            throw new JsonParseException(null, "a byte sequence that is not well-formed UTF-8");
        }
        return readUtf8(body);
    }

    /** Whether the bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). */
    public static boolean isWellFormedUtf8(byte[] bytes) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render JSON reply", e);
        }
    }
}
