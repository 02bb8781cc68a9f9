/**
 * Who may call what: the security filter chains (admin bearer tokens, introspection clients, the open
 * token endpoint) and their authentication providers.
 */
package dev.ferry.security;
