/**
 * Web plumbing shared by the two Spring Boot services (chat-api and history-service): RFC 9457 problem
 * details ({@link io.mqchat.web.ApiException}, {@link io.mqchat.web.ProblemHandler}), the bearer-token check
 * ({@link io.mqchat.web.BearerTokenInterceptor}, {@link io.mqchat.web.BearerTokenWebConfig}), the MongoDB
 * client with its health indicator ({@link io.mqchat.web.MongoConfig}) and the defences against hostile or
 * broken requests ({@link io.mqchat.web.WebHardeningConfig}: body cap, duplicate JSON keys refused, problem
 * details from Tomcat's error report and from {@code /error}).
 *
 * <p>Only cross-cutting plumbing lives here; features stay package-by-feature in the services. Where the
 * services differ (what an unreachable Redis means to clients, how a device's current login is checked,
 * which routes are public) the service says so in a small subclass or by passing a {@link
 * io.mqchat.web.CurrentLoginCheck}: nothing here is switched by a flag, and nothing is picked up by
 * classpath scanning or auto-configuration, because both services run in one JVM in the standalone stack.
 */
package io.mqchat.web;
