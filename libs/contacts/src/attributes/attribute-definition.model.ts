import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsOptional, Matches, MaxLength, MinLength } from 'class-validator';

export enum AttributeType {
  TEXT = 'TEXT',
  NUMBER = 'NUMBER',
  DATE = 'DATE',
  BOOLEAN = 'BOOLEAN',
  CHOICE = 'CHOICE',
}
registerEnumType(AttributeType, { name: 'AttributeType' });

@ObjectType('AttributeDefinition', { description: 'A custom contact attribute of this organization.' })
export class AttributeDefinitionModel {
  @Field({ description: 'Key in Contact.attributes: lowercase letters, digits and _.' }) key!: string;
  @Field() label!: string;
  @Field(() => AttributeType) type!: AttributeType;
  @Field(() => [String], { nullable: true, description: 'Allowed values of a CHOICE attribute.' }) choices!: string[] | null;
  @Field() createdAt!: Date;
}

@InputType()
export class DefineAttributeInput {
  @Field() @Matches(/^[a-z][a-z0-9_]{0,62}$/, { message: 'key must be lowercase letters, digits and _ (starting with a letter)' }) key!: string;
  @Field() @MinLength(1) @MaxLength(200) label!: string;
  @Field(() => AttributeType) @IsEnum(AttributeType) type!: AttributeType;
  @Field(() => [String], { nullable: true }) @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @MaxLength(200, { each: true }) choices?: string[] | null;
}
