package io.mqchat.api.auth;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/** bcrypt for stored passwords (only spring-security-crypto; no Spring Security filter chain). */
@Configuration(proxyBeanMethods = false)
public class PasswordHashingConfig {

    /** Cost 10: roughly 50-100 ms per hash here, slow for guessing, fine for a login. */
    public static final int BCRYPT_STRENGTH = 10;

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(BCRYPT_STRENGTH);
    }
}
