package dev.loyalty.contract;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One route of the public API: its method, its path template (API Gateway syntax) and the
 * Lambda function that serves it.
 */
public record ApiRoute(String method, String template, String function) {

    /** API Gateway's route key, e.g. {@code POST /members/{memberId}/earn}. */
    public String routeKey() {
        return method + " " + template;
    }

    /** The path parameters when {@code path} fits the template (method not checked). */
    public Optional<Map<String, String>> match(String path) {
        if (path == null) {
            return Optional.empty();
        }
        String[] want = template.substring(1).split("/", -1);
        String[] got = path.startsWith("/") ? path.substring(1).split("/", -1) : path.split("/", -1);
        if (want.length != got.length) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < want.length; i++) {
            String w = want[i];
            if (w.startsWith("{") && w.endsWith("}")) {
                if (got[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(w.substring(1, w.length() - 1), URLDecoder.decode(got[i], StandardCharsets.UTF_8));
            } else if (!w.equals(got[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }
}
