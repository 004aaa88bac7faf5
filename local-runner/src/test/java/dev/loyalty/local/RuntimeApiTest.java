package dev.loyalty.local;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Runtime API's protocol with a hand-driven runtime loop (the HTTP calls AWS's runtime
 * client makes): a late answer is accepted and discarded and the loop goes on; an unknown id
 * is refused as on AWS.
 */
class RuntimeApiTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> call(RuntimeApi api, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/2018-06-01/runtime/" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLateAnswerIsDiscardedAndTheLoopContinues() throws Exception {
        try (RuntimeApi api = new RuntimeApi("t", Duration.ofMillis(300))) {
            CompletableFuture<Void> slowRuntime = CompletableFuture.runAsync(() -> {
                try {
                    HttpResponse<String> next = call(api, "GET", "invocation/next", null);
                    String id = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
                    Thread.sleep(800); // past the 300 ms timeout
                    assertEquals(202, call(api, "POST", "invocation/" + id + "/response", "{\"late\":true}").statusCode());
                    assertEquals(400, call(api, "POST", "invocation/not-mine/response", "{}").statusCode());
                    next = call(api, "GET", "invocation/next", null);
                    id = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
                    assertEquals("{\"n\":2}", next.body());
                    assertEquals(202, call(api, "POST", "invocation/" + id + "/response", "{\"ok\":2}").statusCode());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThrows(TimeoutException.class, () -> api.invoke("{\"n\":1}"));
            Thread.sleep(700); // the late answer has been posted by now
            // The same environment serves the next invocation: the late answer did not end its loop.
            assertEquals("{\"ok\":2}", api.invoke("{\"n\":2}").body());
            slowRuntime.get();
            assertFalse(slowRuntime.isCompletedExceptionally());
        }
    }
}
