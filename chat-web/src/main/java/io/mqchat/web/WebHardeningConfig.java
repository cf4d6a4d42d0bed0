package io.mqchat.web;

import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.core.StreamReadFeature;

/**
 * What both services do about hostile or broken requests, beside {@link ProblemHandler}:
 * <ul>
 *   <li>request bodies capped at {@code mqchat.http.max-body} ({@link RequestGuardFilter}, 413), refused
 *       with a wildcard {@code Content-Type} (415), and unparsable {@code Accept} headers refused (400);</li>
 *   <li>JSON objects with a duplicate key refused (400), as over MQTT: which of the two values would win
 *       is parser-specific, so a proxy or validator in front may have seen the other one;</li>
 *   <li>every error a problem document: Tomcat's own error report ({@link ProblemErrorReportValve}) and
 *       Spring Boot's {@code /error} ({@link ProblemErrorController}).</li>
 * </ul>
 * A service imports it from its configuration class, like {@link MongoConfig}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HttpProperties.class)
public class WebHardeningConfig {

    @Bean
    FilterRegistrationBean<RequestGuardFilter> requestGuardFilter(HttpProperties http) {
        FilterRegistrationBean<RequestGuardFilter> registration =
                new FilterRegistrationBean<>(new RequestGuardFilter(http.maxBodyBytes()));
        // before anything that might read the body
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    JsonMapperBuilderCustomizer strictDuplicateDetection() {
        return builder -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    @Bean
    ProblemErrorController problemErrorController() {
        return new ProblemErrorController();
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReport() {
        return new ProblemErrorReportCustomizer();
    }

    /**
     * Replaces the host's error report valve(s) with {@link ProblemErrorReportValve}. Runs after Spring
     * Boot's own customizer, which adds a plain {@link ErrorReportValve} (stack traces off); as a context
     * customizer it runs while the host is being assembled, before Tomcat would add its default.
     */
    static final class ProblemErrorReportCustomizer
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (!(context.getParent() instanceof Host host)) {
                    return;
                }
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.getPipeline().addValve(new ProblemErrorReportValve());
                if (host instanceof StandardHost standard) {
                    // the host adds its default valve at start unless it finds one of this class
                    standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
