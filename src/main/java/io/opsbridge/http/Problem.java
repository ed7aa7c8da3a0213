package io.opsbridge.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem: {@code type}, {@code title}, {@code status}, {@code detail}, for validation
 * {@code errors[{pointer, message}]}, and extension members where an API's contract names its own
 * fields (the tenant order webhook's {@code error}, {@code details}, {@code fieldErrors}). The type
 * is {@code urn:opsbridge:problem:<code>}; every code is listed in docs/.
 */
public record Problem(int status, String code, String title, String detail, List<FieldError> errors,
        Map<String, String> headers, Map<String, Object> members) {

    public static final String CONTENT_TYPE = "application/problem+json";

    public Problem(int status, String code, String title, String detail) {
        this(status, code, title, detail, List.of(), Map.of(), Map.of());
    }

    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(status, code, title, detail, List.copyOf(fieldErrors), headers, members);
    }

    /** A response header the answer needs ({@code Retry-After}, {@code Allow}, {@code WWW-Authenticate}). */
    public Problem withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Problem(status, code, title, detail, errors, Map.copyOf(more), members);
    }

    /** An extension member of the body. */
    public Problem withMember(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(members);
        more.put(name, value);
        return new Problem(status, code, title, detail, errors, headers, more);
    }

    public String type() {
        return "urn:opsbridge:problem:" + code;
    }

    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type());
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (!errors.isEmpty()) {
            body.put("errors", errors);
        }
        body.putAll(members);
        return body;
    }
}
