package io.mqchat.api.web;

import io.mqchat.api.TestMongo;
import io.mqchat.api.TestSupport;
import io.mqchat.web.HostileRequestsContract;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** chat-api answers every client mistake with a problem document ({@link HostileRequestsContract}). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        useMainMethod = SpringBootTest.UseMainMethod.ALWAYS)
class HostileRequestsEndToEndTest extends HostileRequestsContract {

    @RegisterExtension
    static final TestMongo MONGO = new TestMongo("hostile");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        MONGO.appProperties(registry);
    }

    @LocalServerPort
    int port;

    private final String token = TestSupport.loggedInToken("hostile", "web");

    @Override
    protected int port() {
        return port;
    }

    @Override
    protected String token() {
        return token;
    }

    @Override
    protected String jsonPostPath() {
        return "/api/v1/groups";
    }

    @Override
    protected String bodyWithDuplicateKey() {
        return "{\"name\":\"Team\",\"members\":[],\"name\":\"Other\"}";
    }

    @Override
    protected String getPath() {
        return "/api/v1/groups";
    }

    @Override
    protected String numericParameter() {
        return "page";
    }
}
