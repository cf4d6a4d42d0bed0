package io.mqchat.history;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The history-service: paged conversation history read from MongoDB (where the broker stores messages).
 *
 * <p>Start it through {@link #builder()}, which points Spring Boot at {@code history-service.yml} instead
 * of {@code application.yml}, so that it can share a JVM (and a class path) with the chat-api.
 */
@SpringBootApplication
public class HistoryServiceApplication {

    /** The name of this app's config file ({@code history-service.yml}) and of the app itself. */
    public static final String NAME = "history-service";

    /**
     * A builder for this app. Its default properties select {@code history-service.yml} and port 8081;
     * add your own with {@code .properties(Map)} (they are merged in, and win over these defaults but not
     * over {@code history-service.yml}, environment variables or command-line arguments).
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(HistoryServiceApplication.class)
                .properties("spring.config.name=" + NAME, "server.port=8081");
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
