import Hummingbird

/// `GET /api/openapi.yaml`: the token API as OpenAPI 3.0.
///
/// Kept beside the routes it describes; a test walks every path and method in it against a
/// live server, so the document cannot drift from what the server does.
enum OpenAPIDocument {
    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: yaml)))
    }

    static let yaml = """
        openapi: 3.0.3
        info:
          title: SecureDrop API
          version: "\(SecureDrop.version)"
          description: |
            Token API of a SecureDrop file drop. Log in with POST /api/login, then send
            `Authorization: Bearer <token>` (or the session cookie). Seed-compatible routes
            answer errors as {"message": ...}; the others as {"error": ..., "message": ...}.
        servers:
          - url: /
        security:
          - bearerAuth: []
        paths:
          /api/login:
            post:
              summary: Log in (seed-compatible)
              security: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [username, password]
                      properties:
                        username: {type: string}
                        password: {type: string, format: password}
              responses:
                "200":
                  description: Logged in; also sets the __Host-securedrop cookie
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          message: {type: string, example: Login successful}
                          token: {type: string}
                          expires_at: {type: string, format: date-time}
                "401": {$ref: "#/components/responses/SeedError"}
                "429": {$ref: "#/components/responses/SeedError"}
          /api/logout:
            get:
              summary: Log out and revoke the token (seed-compatible)
              responses:
                "200": {$ref: "#/components/responses/SeedMessage"}
            post:
              summary: Log out and revoke the token
              responses:
                "200": {$ref: "#/components/responses/SeedMessage"}
          /api/me:
            get:
              summary: The signed-in user
              responses:
                "200":
                  description: User
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          username: {type: string}
                          role: {type: string, enum: [admin, user]}
                          expires_at: {type: string, format: date-time}
                "401": {$ref: "#/components/responses/Error"}
          /api:
            get:
              summary: List files as [name, "YYYY-MM-DD HH:MM:SS" (UTC)] pairs (seed-compatible)
              parameters:
                - {name: n, in: query, schema: {type: integer, minimum: 1, maximum: 100000}}
                - {name: order, in: query, schema: {type: string, enum: [asc, desc], default: asc}}
              responses:
                "200":
                  description: Files by upload date
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          files:
                            type: array
                            items: {type: array, items: {type: string}, minItems: 2, maxItems: 2}
                "400": {$ref: "#/components/responses/SeedError"}
                "401": {$ref: "#/components/responses/SeedError"}
          /api/upload:
            post:
              summary: Upload one or more files as multipart field "file" (seed-compatible)
              parameters:
                - $ref: "#/components/parameters/Overwrite"
              requestBody:
                required: true
                content:
                  multipart/form-data:
                    schema:
                      type: object
                      properties:
                        file: {type: array, items: {type: string, format: binary}}
              responses:
                "200":
                  description: 'Stored; the message names the final names: "File uploaded: <name>[, <name>...]"'
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SeedMessage"}
                "400": {$ref: "#/components/responses/SeedError"}
                "401": {$ref: "#/components/responses/SeedError"}
                "403": {$ref: "#/components/responses/SeedError"}
                "413": {$ref: "#/components/responses/SeedError"}
                "507": {$ref: "#/components/responses/SeedError"}
          /api/uploads/{name}:
            get:
              summary: Download a file (seed-compatible)
              parameters:
                - $ref: "#/components/parameters/Name"
                - $ref: "#/components/parameters/Range"
              responses:
                "200": {$ref: "#/components/responses/File"}
                "206": {$ref: "#/components/responses/File"}
                "304": {description: Not modified (If-None-Match)}
                "401": {$ref: "#/components/responses/SeedError"}
                "404": {$ref: "#/components/responses/SeedError"}
                "416": {description: Range not satisfiable}
          /api/last/{n}/download:
            get:
              summary: The newest n files as one ZIP, streamed (seed-compatible)
              parameters:
                - {name: n, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 1000}}
                - {name: filename, in: query, schema: {type: string}, description: Download name; .zip is appended when missing}
              responses:
                "200":
                  description: ZIP archive (stored entries, ZIP64 when needed)
                  content:
                    application/zip:
                      schema: {type: string, format: binary}
                "400": {$ref: "#/components/responses/SeedError"}
                "401": {$ref: "#/components/responses/SeedError"}
                "404": {$ref: "#/components/responses/SeedError"}
          /api/files:
            get:
              summary: List files as objects
              parameters:
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100000}}
                - {name: sort, in: query, schema: {type: string, enum: [date, name], default: date}}
                - {name: order, in: query, schema: {type: string, enum: [asc, desc]}, description: Default desc for date, asc for name}
              responses:
                "200":
                  description: Files
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          files: {type: array, items: {$ref: "#/components/schemas/File"}}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          /api/files/{name}:
            parameters:
              - $ref: "#/components/parameters/Name"
            put:
              summary: Upload the raw request body as a file (curl -T)
              description: The name is slugified; when taken, the file is stored as name-N.ext unless overwrite=true.
              parameters:
                - $ref: "#/components/parameters/Overwrite"
              requestBody:
                required: true
                content:
                  application/octet-stream:
                    schema: {type: string, format: binary}
              responses:
                "201":
                  description: Stored; Location names the final name
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/File"}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
                "403": {$ref: "#/components/responses/Error"}
                "413": {$ref: "#/components/responses/Error"}
                "507": {$ref: "#/components/responses/Error"}
            get:
              summary: Download a file
              parameters:
                - $ref: "#/components/parameters/Range"
              responses:
                "200": {$ref: "#/components/responses/File"}
                "206": {$ref: "#/components/responses/File"}
                "304": {description: Not modified (If-None-Match)}
                "401": {$ref: "#/components/responses/Error"}
                "404": {$ref: "#/components/responses/Error"}
                "416": {description: Range not satisfiable}
            head:
              summary: A file's headers (size, ETag, type) without the body
              responses:
                "200": {description: Headers only}
                "401": {description: Unauthorized}
                "404": {description: Not found}
            delete:
              summary: Delete a file (its uploader or an admin)
              responses:
                "204": {description: Deleted}
                "401": {$ref: "#/components/responses/Error"}
                "403": {$ref: "#/components/responses/Error"}
                "404": {$ref: "#/components/responses/Error"}
          /healthz:
            get:
              summary: Liveness
              security: []
              responses:
                "200": {description: Serving}
        components:
          securitySchemes:
            bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}
          parameters:
            Name: {name: name, in: path, required: true, schema: {type: string}}
            Overwrite: {name: overwrite, in: query, schema: {type: boolean, default: false}}
            Range: {name: Range, in: header, schema: {type: string, example: bytes=0-1023}}
          schemas:
            File:
              type: object
              properties:
                name: {type: string}
                size: {type: integer, format: int64}
                sha256: {type: string}
                content_type: {type: string}
                uploaded_at: {type: string, format: date-time}
                uploader: {type: string}
            SeedMessage:
              type: object
              properties:
                message: {type: string}
            Error:
              type: object
              properties:
                error: {type: string}
                message: {type: string}
          responses:
            SeedMessage:
              description: Message
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/SeedMessage"}
            SeedError:
              description: Error (seed shape)
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/SeedMessage"}
            Error:
              description: Error
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
            File:
              description: File bytes with ETag, Last-Modified, Accept-Ranges and Content-Disposition
              content:
                application/octet-stream:
                  schema: {type: string, format: binary}

        """
}
