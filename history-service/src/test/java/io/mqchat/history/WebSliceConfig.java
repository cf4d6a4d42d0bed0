package io.mqchat.history;

import io.mqchat.common.auth.AccessTokens;
import io.mqchat.common.auth.HistoryPolicy;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** What a {@code @WebMvcTest} slice of history-service needs besides its mocks: tokens with the test secret, no policy. */
@TestConfiguration
public class WebSliceConfig {

    @Bean
    AccessTokens accessTokens() {
        return new AccessTokens(TestSupport.SECRET);
    }

    @Bean
    HistoryPolicy historyPolicy() {
        return HistoryPolicy.allForEveryone();
    }
}
