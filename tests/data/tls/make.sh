#!/bin/sh
# How the test certificates here were made (valid for 100 years; test use only):
# a CA, a server certificate for 127.0.0.1 and localhost, one for localhost only,
# a client certificate (and its key encrypted), and a second CA that signed nothing here.
set -eu
cd "$(dirname "$0")"
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -days $days -subj /CN=test-ca \
    -keyout ca-key.pem -out ca.pem
openssl req -x509 -newkey rsa:2048 -nodes -days $days -subj /CN=other-ca \
    -keyout /dev/null -out other-ca.pem
sign() {  # name subject extensions
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1-key.pem" -out "$1.csr"
    printf '%s\n' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
        -days $days -extfile "$1.ext" -out "$1-cert.pem"
    rm "$1.csr" "$1.ext"
}
sign server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
sign localhost-only /CN=localhost "subjectAltName=DNS:localhost
extendedKeyUsage=serverAuth"
sign client /CN=client "extendedKeyUsage=clientAuth"
mkdir -p client
mv client-cert.pem client/cert.pem
mv client-key.pem client/key.pem
cp ca.pem client/ca.pem
openssl pkey -in client/key.pem -aes256 -passout pass:secret -out client-key-encrypted.pem
rm -f ca-key.pem ca.srl
