/**
 * history-service's part of the HTTP plumbing shared with chat-api ({@code io.mqchat.web} in chat-web):
 * how its problem details report an outage.
 */
package io.mqchat.history.web;
