/*
 * curve_keygen: ZeroMQ CURVE key pairs (Z85 text, 40 characters per key) for the SAMPLE PKI.
 *
 *   curve_keygen          print a new key pair as two lines:
 *                           public = "<40 Z85 characters>"
 *                           secret = "<40 Z85 characters>"
 *   curve_keygen public   read a Z85 secret key (one line) from standard input and print the
 *                         public key that belongs to it, so a stored pair can be checked.
 *
 * The secret key is read from standard input rather than the command line so that it never shows
 * in a process list. Exit status: 0 success, 1 bad input or usage, 2 libzmq without CURVE.
 *
 * Build: cc -O2 -Wall -Wextra -o curve_keygen curve_keygen.c -lzmq
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

enum { kZ85KeyLength = 40 };

static const char kZ85Alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* True when text is exactly one Z85-encoded 32-byte key. */
static int is_z85_key(const char *text) {
  if (strlen(text) != kZ85KeyLength) {
    return 0;
  }
  for (const char *c = text; *c != '\0'; ++c) {
    if (strchr(kZ85Alphabet, *c) == NULL) {
      return 0;
    }
  }
  return 1;
}

static int generate(void) {
  char public_key[kZ85KeyLength + 1];
  char secret_key[kZ85KeyLength + 1];
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    fprintf(stderr, "curve_keygen: zmq_curve_keypair failed: %s\n", zmq_strerror(zmq_errno()));
    return 2;
  }
  printf("public = \"%s\"\nsecret = \"%s\"\n", public_key, secret_key);
  return 0;
}

static int derive_public(void) {
  /* Room for the key, a line end, and one extra character to detect over-long input. */
  char secret_key[kZ85KeyLength + 4];
  if (fgets(secret_key, sizeof secret_key, stdin) == NULL) {
    fprintf(stderr, "curve_keygen: no secret key on standard input\n");
    return 1;
  }
  secret_key[strcspn(secret_key, "\r\n")] = '\0';
  if (!is_z85_key(secret_key)) {
    fprintf(stderr, "curve_keygen: the secret key is not 40 Z85 characters\n");
    return 1;
  }
  char public_key[kZ85KeyLength + 1];
  if (zmq_curve_public(public_key, secret_key) != 0) {
    fprintf(stderr, "curve_keygen: zmq_curve_public failed: %s\n", zmq_strerror(zmq_errno()));
    return zmq_errno() == ENOTSUP ? 2 : 1;
  }
  printf("%s\n", public_key);
  return 0;
}

int main(int argc, char **argv) {
  if (!zmq_has("curve")) {
    fprintf(stderr, "curve_keygen: this libzmq was built without CURVE support\n");
    return 2;
  }
  if (argc == 1) {
    return generate();
  }
  if (argc == 2 && strcmp(argv[1], "public") == 0) {
    return derive_public();
  }
  fprintf(stderr, "usage: curve_keygen [public]\n");
  return 1;
}
