/**
 * chat-api's part of the HTTP plumbing shared with history-service ({@code io.mqchat.web} in chat-web):
 * how its problem details report an outage.
 */
package io.mqchat.api.web;
